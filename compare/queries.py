"""What the comparison page counts, for a set of articles (a project's, as one reader may read them).

Each function costs a fixed number of queries whatever the number of articles: the articles are passed as a
queryset and used as a subquery, never as a list of ids.
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from annotations.models import Span, Stance, StanceEvidence
from corpus.models import FamilyMember, Paragraph

FAMILIES_SHOWN = 500  # statement rows drawn: the most carried (a project of 10,000 articles has many families)
OUTLETS_SHOWN = 40  # outlet columns: those with most articles in the set
VERBATIM = 0.999  # a member this similar to its family's representative carries the same words


@dataclass
class Outlet:
    pk: int
    name: str
    articles: int = 0
    dates: list = field(default_factory=list)


@dataclass
class Cell:
    """One outlet's version of one statement: its closest member (a paragraph) and how close it is."""

    paragraph_id: int
    article_id: int
    position: int
    similarity: float

    @property
    def verbatim(self):
        return self.similarity >= VERBATIM

    @property
    def percent(self):
        return round(self.similarity * 100)


@dataclass
class Statement:
    family_id: int
    paragraph_id: int  # one member in the set: the row's text and its link to the compare view
    text: str = ""
    cells: dict = field(default_factory=dict)  # {outlet id: Cell}

    @property
    def carried(self):
        return len(self.cells)


def outlets_of(articles):
    """[Outlet] holding the articles, most articles first, at most OUTLETS_SHOWN, and the number there were.
    One query."""
    outlets = {}
    for source_id, name, published in articles.values_list("source_id", "source__name", "published_on"):
        outlet = outlets.setdefault(source_id, Outlet(source_id, name))
        outlet.articles += 1
        if published:
            outlet.dates.append(published)
    ordered = sorted(outlets.values(), key=lambda o: (-o.articles, o.name))
    return ordered[:OUTLETS_SHOWN], len(ordered)


def statements(articles, outlets):
    """([Statement] carried by at least two of the articles, most outlets first, at most FAMILIES_SHOWN) and
    the number of such families. Two queries: the members in the set, and the shown rows' texts."""
    shown = {outlet.pk for outlet in outlets}
    rows = FamilyMember.objects.filter(article__in=articles.values("pk")).values_list(
        "family_id", "paragraph_id", "article_id", "article__source_id", "paragraph__position", "similarity"
    )
    families, articles_of = {}, {}
    for family, paragraph, article, source, position, similarity in rows.order_by("family_id", "paragraph_id"):
        articles_of.setdefault(family, set()).add(article)
        statement = families.setdefault(family, Statement(family, paragraph))
        if source not in shown:
            continue
        best = statement.cells.get(source)
        if best is None or similarity > best.similarity:
            statement.cells[source] = Cell(paragraph, article, position, similarity)
    repeated = [s for s in families.values() if len(articles_of[s.family_id]) > 1 and s.cells]
    repeated.sort(key=lambda s: (-s.carried, -len(articles_of[s.family_id]), s.family_id))
    kept = repeated[:FAMILIES_SHOWN]
    texts = dict(Paragraph.objects.filter(pk__in=[s.paragraph_id for s in kept]).values_list("pk", "text"))
    for statement in kept:
        statement.text = texts.get(statement.paragraph_id, "")
    return kept, len(repeated)


@dataclass
class Named:
    """A canonical entity, and for each outlet the spellings of its mentions: {outlet id: {text: count}}."""

    pk: int
    name: str
    spellings: dict = field(default_factory=dict)

    def mentions(self, outlet_id):
        return sum(self.spellings.get(outlet_id, {}).values())

    @property
    def total(self):
        return sum(sum(texts.values()) for texts in self.spellings.values())

    @property
    def variants(self):
        return sorted({text for texts in self.spellings.values() for text in texts})


def spellings(articles):
    """[Named] for every entity the articles' spans link to, most mentioned first. A mention drawn by two
    annotators is one mention (the same paragraph, start and end). One query."""
    rows = (
        Span.objects.filter(paragraph__article__in=articles.values("pk"), entity__isnull=False)
        .values_list("entity_id", "entity__name", "paragraph__article__source_id", "text", "paragraph_id", "start", "end")
        .distinct()
    )
    entities, seen = {}, set()
    for entity, name, source, text, paragraph, start, end in rows:
        if (entity, paragraph, start, end) in seen:
            continue
        seen.add((entity, paragraph, start, end))
        named = entities.setdefault(entity, Named(entity, name))
        texts = named.spellings.setdefault(source, {})
        texts[text] = texts.get(text, 0) + 1
    return sorted(entities.values(), key=lambda n: (-n.total, n.name))


@dataclass
class Position:
    """What one holder says of one target: the stances' polarities, and the first stance's article (evidence)."""

    polarities: dict = field(default_factory=dict)  # {polarity name: count}
    article_id: int = 0
    paragraph_position: int | None = None

    @property
    def count(self):
        return sum(self.polarities.values())

    @property
    def polarity(self):
        return next(iter(self.polarities)) if len(self.polarities) == 1 else "mixed"


def stance_matrix(articles, outlet_id=None):
    """(holders [(id, name)], targets [(key, name, url args)], {(holder id, target key): Position},
    {holder id: {outlet id: stances}}). Targets are entities ("e", id) or topics ("t", id). One query (the
    evidence's first paragraph comes with it)."""
    stances = Stance.objects.filter(article__in=articles.values("pk"))
    if outlet_id is not None:
        stances = stances.filter(article__source_id=outlet_id)
    first_evidence = StanceEvidence.objects.filter(stance=OuterRef("pk")).order_by("pk").values("paragraph__position")[:1]
    rows = (
        stances.annotate(evidence_at=Subquery(first_evidence))
        .order_by("pk")
        .values_list(
            "pk",
            "holder_entity_id",
            "holder_entity__name",
            "target_entity_id",
            "target_entity__name",
            "target_topic_id",
            "target_topic__name",
            "polarity__name",
            "article_id",
            "article__source_id",
            "evidence_at",
        )
    )
    holders, targets, cells, voices, counted = {}, {}, {}, {}, set()
    for pk, holder, holder_name, t_entity, t_entity_name, t_topic, t_topic_name, polarity, article, source, at in rows:
        if pk in counted:
            continue
        counted.add(pk)
        key = ("e", t_entity) if t_entity else ("t", t_topic)
        holders[holder] = holder_name
        targets[key] = t_entity_name if t_entity else t_topic_name
        position = cells.setdefault((holder, key), Position(article_id=article, paragraph_position=at))
        position.polarities[polarity] = position.polarities.get(polarity, 0) + 1
        by_outlet = voices.setdefault(holder, {})
        by_outlet[source] = by_outlet.get(source, 0) + 1
    holder_list = sorted(holders.items(), key=lambda h: (-sum(voices[h[0]].values()), h[1]))
    target_list = sorted(targets.items(), key=lambda t: t[1])
    return holder_list, target_list, cells, voices
