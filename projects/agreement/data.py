"""What the agreement measures compare, read from the database for a set of articles and annotators.

`collect` reads everything in five queries (paragraphs, spans, stance evidence, stances, boilerplate marks;
plus one to list the users when they come as a queryset; an articles queryset becomes a subquery),
however many articles and annotators there are: nothing is read per article.

Who saw an article: by default an annotator who has at least one span, stance or boilerplate mark in it.
Someone who never opened an article then contributes nothing for it (Krippendorff's α treats them as
missing, pairs compare only the articles both saw), but an annotator who read an article and found
nothing to annotate counts as unseen too; a caller that knows better (assignments marked done) passes
`seen`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from annotations.interchange.conll import tokens as conll_tokens
from annotations.models import BoilerplateMark, Span, Stance, StanceEvidence
from corpus.models import Paragraph

from ..words import KIND_NAMES
from .measures import SpanItem, StanceItem


@dataclass
class ParagraphData:
    pk: int
    article: int
    position: int
    text: str
    _tokens: list | None = field(default=None, repr=False)

    @property
    def tokens(self):
        """[(start, end)] code point offsets, from the tokenizer the CoNLL export uses; computed on first use."""
        if self._tokens is None:
            self._tokens = conll_tokens(self.text)
        return self._tokens


@dataclass(frozen=True)
class StanceDetail:
    """What a drill-down shows of a stance besides its StanceItem."""

    holder: str
    target: str


@dataclass
class Collected:
    """Everything the measures need, keyed by (article id, user id)."""

    articles: list  # article ids, in id order
    users: list  # (what the caller passed: a User or an id, user id)
    paragraphs: dict  # article id -> [ParagraphData] in reading order
    spans: dict  # (article, user) -> [SpanItem], key = span id
    stances: dict  # (article, user) -> [StanceItem], key = stance id
    marks: dict  # (article, user) -> {paragraph id: category name}
    stance_details: dict  # stance id -> StanceDetail
    seen: dict  # article id -> frozenset of user ids

    def paragraph(self, pk):
        return self._paragraph_index[pk]

    def __post_init__(self):
        self._paragraph_index = {p.pk: p for ps in self.paragraphs.values() for p in ps}


def _pks(objects):
    """A subquery for a queryset (no query now), else a list of ids from model instances or ids."""
    if isinstance(objects, QuerySet):
        return objects.values("pk")
    return [getattr(o, "pk", o) for o in objects]


def collect(articles, users, *, seen=None):
    """Collected for `articles` and `users` (querysets, model instances or ids).
    `seen`, when given, is {article id: user ids} and replaces the default (see the module's docstring)."""
    users = [(user, getattr(user, "pk", user)) for user in users]
    user_ids = [pk for _, pk in users]
    article_ids = _pks(articles)

    paragraphs = defaultdict(list)
    rows = Paragraph.objects.filter(article__in=article_ids).order_by("article_id", "position")
    for pk, article, position, text in rows.values_list("pk", "article_id", "position", "text"):
        paragraphs[article].append(ParagraphData(pk, article, position, text))
    article_of = {p.pk: article for article, ps in paragraphs.items() for p in ps}

    spans = defaultdict(list)
    rows = Span.objects.filter(paragraph__article__in=article_ids, author__in=user_ids).order_by(
        "paragraph_id", "start", "-end", "pk"
    )
    for pk, paragraph, start, end, label, author in rows.values_list(
        "pk", "paragraph_id", "start", "end", "label__name", "author_id"
    ):
        spans[article_of[paragraph], author].append(SpanItem(paragraph, start, end, label, pk))

    evidence = defaultdict(list)
    rows = StanceEvidence.objects.filter(stance__article__in=article_ids, stance__author__in=user_ids).order_by(
        "stance_id", "paragraph_id", "start", "pk"
    )
    for stance, paragraph, start, end in rows.values_list("stance_id", "paragraph_id", "start", "end"):
        evidence[stance].append((paragraph, start, end))

    stances, details = defaultdict(list), {}
    rows = Stance.objects.filter(article__in=article_ids, author__in=user_ids).order_by("article_id", "pk")
    fields = (
        "pk",
        "article_id",
        "author_id",
        "holder_entity_id",
        "holder_entity__name",
        "target_entity_id",
        "target_entity__name",
        "target_topic_id",
        "target_topic__name",
        "polarity__name",
    )
    for pk, article, author, holder, holder_name, entity, entity_name, topic, topic_name, polarity in rows.values_list(*fields):
        target = ("entity", entity) if entity is not None else ("topic", topic)
        stances[article, author].append(StanceItem(article, holder, target, polarity, tuple(evidence[pk]), pk))
        details[pk] = StanceDetail(holder_name, entity_name if entity is not None else topic_name)

    marks = defaultdict(dict)
    rows = BoilerplateMark.objects.filter(paragraph__article__in=article_ids, author__in=user_ids)
    for paragraph, author, category in rows.values_list("paragraph_id", "author_id", "category__name"):
        marks[article_of[paragraph], author][paragraph] = category

    ordered = sorted(paragraphs)
    if seen is None:
        annotated = defaultdict(set)
        for article, author in (*spans, *stances, *marks):
            annotated[article].add(author)
        seen = {article: annotated.get(article, ()) for article in ordered}
    seen = {article: frozenset(getattr(u, "pk", u) for u in seen.get(article, ())) & frozenset(user_ids) for article in ordered}
    return Collected(ordered, users, dict(paragraphs), spans, stances, marks, details, seen)


def article_token_labels(data, article, user):
    """The label of every token of the article for one annotator, paragraph after paragraph."""
    from .measures import token_labels

    by_paragraph = defaultdict(list)
    for span in data.spans.get((article, user), ()):
        by_paragraph[span.paragraph].append(span)
    labels = []
    for paragraph in data.paragraphs[article]:
        labels.extend(token_labels(paragraph.tokens, by_paragraph.get(paragraph.pk, ())))
    return labels


def article_boilerplate(data, article, user):
    """Marked (True) or not, for every paragraph of the article, for one annotator."""
    marked = data.marks.get((article, user), {})
    return [paragraph.pk in marked for paragraph in data.paragraphs[article]]


# ---- the drill-down --------------------------------------------------------------------------------

ONLY_A, ONLY_B = "only_a", "only_b"
LABEL, EXTENT = "label", "extent"  # spans that overlap: other label; same label, other boundaries
POLARITY, EVIDENCE = "polarity", "evidence"  # stances on the same holder and target
CATEGORY = "category"  # a paragraph both marked as boilerplate, of different categories (κ counts it as agreement)
REASON_NAMES = {  # what the drill-down says of each reason
    ONLY_A: _("only the first annotator"),
    ONLY_B: _("only the second annotator"),
    LABEL: _("other label"),
    EXTENT: _("other boundaries"),
    POLARITY: _("other polarity"),
    EVIDENCE: _("other evidence"),
    CATEGORY: _("other category"),
}


@dataclass(frozen=True)
class Side:
    """One annotator's annotation in a disagreement: `label` is the span's label, the stance's polarity or
    the mark's category; `quotes` are (ParagraphData, start, end, text) for each passage."""

    kind: str
    pk: int | None
    label: str
    quotes: tuple
    holder: str = ""
    target: str = ""


@dataclass(frozen=True)
class Disagreement:
    kind: str  # "span", "stance" or "boilerplate"
    reason: str
    a: Side | None
    b: Side | None

    @property
    def kind_name(self):
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def reason_name(self):
        return REASON_NAMES.get(self.reason, self.reason)

    @property
    def place(self):
        """(paragraph position, start, -end) of the first passage, for reading order."""
        quotes = (self.a or self.b).quotes
        return (quotes[0][0].position, quotes[0][1], -quotes[0][2]) if quotes else (-1, 0, 0)


def _span_side(data, span):
    paragraph = data.paragraph(span.paragraph)
    return Side("span", span.key, span.label, ((paragraph, span.start, span.end, paragraph.text[span.start : span.end]),))


def _stance_side(data, stance):
    quotes = tuple((data.paragraph(p), s, e, data.paragraph(p).text[s:e]) for p, s, e in stance.evidence)
    detail = data.stance_details[stance.key]
    return Side("stance", stance.key, stance.polarity, quotes, detail.holder, detail.target)


def _staged(a, b, stages):
    """Pair what is left of a and b stage by stage: [(reason, item of a or None, item of b or None)].
    The first stage's pairs are agreements and are dropped; the rest are left over on one side."""
    a, b, found = list(a), list(b), []
    for position, (reason, match) in enumerate(stages):
        pairs = match(a, b)
        if position:
            found.extend((reason, a[i], b[j]) for i, j in pairs)
        used_a, used_b = {i for i, _ in pairs}, {j for _, j in pairs}
        a = [item for i, item in enumerate(a) if i not in used_a]
        b = [item for j, item in enumerate(b) if j not in used_b]
    return found + [(ONLY_A, item, None) for item in a] + [(ONLY_B, None, item) for item in b]


def disagreements_between(data, article, user_a, user_b):
    """[Disagreement] of two annotators (user ids) on one article of `data`, in reading order: spans with no
    exact match (other boundaries, other label, or on one side only), stances with no full match (other
    polarity, other evidence, or on one side only), and paragraphs marked as boilerplate by one of them or
    with different categories."""
    from .measures import match_spans, match_stances

    found = []
    span_stages = [
        (None, lambda a, b: match_spans(a, b, mode="exact")),
        (EXTENT, lambda a, b: match_spans(a, b, mode="overlap")),
        (LABEL, lambda a, b: match_spans(a, b, mode="overlap", same_label=False)),
    ]
    spans_a, spans_b = data.spans.get((article, user_a), ()), data.spans.get((article, user_b), ())
    for reason, x, y in _staged(spans_a, spans_b, span_stages):
        found.append(Disagreement("span", reason, x and _span_side(data, x), y and _span_side(data, y)))
    stance_stages = [
        (None, lambda a, b: match_stances(a, b)),
        (POLARITY, lambda a, b: match_stances(a, b, polarity=False)),
        (EVIDENCE, lambda a, b: match_stances(a, b, evidence=False)),
    ]
    stances_a, stances_b = data.stances.get((article, user_a), ()), data.stances.get((article, user_b), ())
    for reason, x, y in _staged(stances_a, stances_b, stance_stages):
        found.append(Disagreement("stance", reason, x and _stance_side(data, x), y and _stance_side(data, y)))
    marks_a, marks_b = data.marks.get((article, user_a), {}), data.marks.get((article, user_b), {})
    for paragraph in data.paragraphs.get(article, ()):
        x, y = marks_a.get(paragraph.pk), marks_b.get(paragraph.pk)
        if x == y:
            continue
        reason = CATEGORY if x and y else ONLY_A if x else ONLY_B
        quote = ((paragraph, 0, len(paragraph.text), paragraph.text),)
        found.append(
            Disagreement(
                "boilerplate", reason, x and Side("boilerplate", None, x, quote), y and Side("boilerplate", None, y, quote)
            )
        )
    found.sort(key=lambda d: d.place)
    return found
