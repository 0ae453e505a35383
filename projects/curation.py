"""The curation board of one article in a project: every annotator's spans, stances and boilerplate marks,
grouped into versions, and what the curated layer holds.

A *version* is one distinct annotation and the annotators who made it: a span is the same version when its
paragraph, offsets and label are; a stance when its holder, target and polarity are and its evidence overlaps
(projects.agreement's matching, annotator after annotator); a mark when its paragraph and category are. A
version made by at least the project's auto_merge_share of the annotators is *agreed* (auto-merge copies it
into the layer). Versions that compete are shown together in a *cluster*: overlapping spans of a paragraph,
stances on the same holder and target, the marks of one paragraph; the layer's own annotations join the
cluster they fall in.

Each version has a key (`span:<paragraph>:<start>:<end>:<label>`, ...) under which the curation's decision
about it is stored (CurationDecision), so a decided version is not shown as open again.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from annotations.models import BoilerplateMark, Span, Stance

from .agreement.data import collect
from .agreement.measures import match_stances
from .models import Assignment, CurationDecision, Project
from .words import KIND_NAMES, label_name

SPAN, STANCE, MARK = "span", "stance", "boilerplate"
CONTEXT = 40  # characters of the paragraph shown on either side of a span
STATE_NAMES = {
    "accepted": _("in the layer"),
    "auto": _("auto-merged"),
    "rejected": _("rejected"),
    "edited": _("taken with changes"),
    "removed": _("removed from the layer"),
    "open": _("open"),
}


def span_key(paragraph_id, start, end, label):
    return f"span:{paragraph_id}:{start}:{end}:{label}"


def mark_key(paragraph_id, category):
    return f"boilerplate:{paragraph_id}:{category}"


def stance_key(item):
    """Holder, target and polarity as they are; the evidence as a digest (a stance may have many passages)."""
    evidence = ";".join(f"{p}:{s}:{e}" for p, s, e in sorted(item.evidence))
    digest = hashlib.sha256(evidence.encode()).hexdigest()[:16]
    return f"stance:{item.holder}:{item.target[0]}{item.target[1]}:{item.polarity}:{digest}"


@dataclass
class Passage:
    """A piece of paragraph text to show: `before`, the marked `text`, `after` (trimmed to CONTEXT)."""

    paragraph: object  # ParagraphData
    start: int
    end: int

    @property
    def text(self):
        return self.paragraph.text[self.start : self.end]

    @property
    def before(self):
        before = self.paragraph.text[max(0, self.start - CONTEXT) : self.start]
        return ("…" + before) if self.start > CONTEXT else before

    @property
    def after(self):
        after = self.paragraph.text[self.end : self.end + CONTEXT]
        return (after + "…") if self.end + CONTEXT < len(self.paragraph.text) else after


@dataclass
class Version:
    kind: str
    key: str
    item: object  # the first annotator's SpanItem or StanceItem, or (paragraph id, category) for a mark
    label: str  # the span's label, the stance's polarity, the mark's category
    passages: list
    holder: str = ""
    target: str = ""
    by: dict = field(default_factory=dict)  # user id -> the annotator's own annotation id (None for a mark)
    agreed: bool = False
    decision: str | None = None  # a CurationDecision.Action
    in_layer: int | None = None  # the id of the layer's copy, when there is one
    categories: dict | None = None  # {category name: display name}, for label_name (set by the page)

    @property
    def state(self):
        """ "accepted" (in the layer), "edited" (a changed copy is), "rejected", "removed" (taken, then deleted
        from the layer elsewhere, e.g. in the reading view), or "open"."""
        if self.in_layer is not None:
            return "accepted"
        if self.decision is None:
            return "open"
        return {CurationDecision.Action.REJECT: "rejected", CurationDecision.Action.EDIT: "edited"}.get(self.decision, "removed")

    @property
    def is_open(self):
        return self.state == "open"

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind]

    @property
    def label_name(self):
        return label_name(self.kind, self.label, self.categories)

    @property
    def state_name(self):
        """The state as the board says it: an accepted version that auto-merge took is "auto-merged"."""
        state = self.state
        return STATE_NAMES["auto" if state == "accepted" and self.decision == CurationDecision.Action.AUTO else state]


@dataclass
class LayerItem:
    """An annotation of the curated layer, as the board shows it."""

    kind: str
    pk: int | None
    label: str
    passages: list
    holder: str = ""
    target: str = ""
    categories: dict | None = None

    @property
    def label_name(self):
        return label_name(self.kind, self.label, self.categories)


@dataclass
class Cluster:
    kind: str
    place: tuple  # (paragraph position, start): reading order
    versions: list = field(default_factory=list)
    layer: list = field(default_factory=list)  # LayerItem

    @property
    def is_open(self):
        return any(version.is_open for version in self.versions)

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind]

    def cell(self, user_id):
        """The versions this annotator made here (the board's column for them)."""
        return [version for version in self.versions if user_id in version.by]


@dataclass
class Board:
    project: object
    article: object
    annotators: list  # users, in column order
    layer_user_id: int | None
    clusters: list
    versions: dict  # key -> Version

    @property
    def open_count(self):
        return sum(1 for version in self.versions.values() if version.is_open)

    @property
    def rows(self):
        """[(anchor, cluster, [each annotator's versions in it])]: the side-by-side rows, in reading order."""
        return [
            (f"c{index}", cluster, [cluster.cell(user.pk) for user in self.annotators])
            for index, cluster in enumerate(self.clusters, start=1)
        ]

    def cluster_of(self, key):
        return next(cluster for cluster in self.clusters if any(v.key == key for v in cluster.versions))


def annotators_of_article(project, article, layer_user_id=None):
    """The users assigned the article in the project; if none is, everyone who annotated it (not the layer)."""
    User = get_user_model()
    assigned = Assignment.objects.filter(project=project, article=article).values("annotator")
    users = list(User.objects.filter(pk__in=assigned).order_by(User.USERNAME_FIELD))
    if users:
        return users
    authors = (
        Q(spans__paragraph__article=article) | Q(stances__article=article) | Q(boilerplate_marks__paragraph__article=article)
    )
    layers = Project.objects.exclude(curated_identity=None).values("curated_identity")
    return list(User.objects.filter(authors).exclude(pk__in=layers).distinct().order_by(User.USERNAME_FIELD))


def build_board(project, article, *, layer_user_id=None):
    """The Board: versions, clusters, the layer's contents and the decisions taken so far."""
    annotators = annotators_of_article(project, article)
    ids = [user.pk for user in annotators]
    everyone = ids + ([layer_user_id] if layer_user_id else [])
    data = collect([article.pk], everyone)
    share = project.auto_merge_share
    decisions = dict(CurationDecision.objects.filter(project=project, article=article).values_list("key", "action"))

    def agreed(version):
        # A small tolerance: 2 of 3 annotators meet a share of 0.67 (2/3 = 0.666...).
        return bool(ids) and len(version.by) >= share * len(ids) - 1e-6

    versions = {}
    clusters = _span_clusters(data, article.pk, ids, layer_user_id, versions)
    clusters += _stance_clusters(data, article.pk, ids, layer_user_id, versions)
    clusters += _mark_clusters(data, article.pk, ids, layer_user_id, versions)
    for version in versions.values():
        version.agreed = agreed(version)
        version.decision = decisions.get(version.key)
    clusters.sort(key=lambda cluster: cluster.place)
    return Board(project, article, annotators, layer_user_id, clusters, versions)


def _span_clusters(data, article, ids, layer_user_id, versions):
    by_paragraph = defaultdict(list)  # paragraph -> [(start, end, user, SpanItem)]
    for user in ids + ([layer_user_id] if layer_user_id else []):
        for span in data.spans.get((article, user), ()):
            by_paragraph[span.paragraph].append((span.start, span.end, user, span))
    clusters = []
    for paragraph_id, spans in by_paragraph.items():
        paragraph = data.paragraph(paragraph_id)
        spans.sort(key=lambda row: (row[0], -row[1]))
        current, reach = None, -1
        for start, end, user, span in spans:
            if current is None or start >= reach:  # no overlap with what came before: a new cluster
                current, reach = Cluster(SPAN, (paragraph.position, start)), end
                clusters.append(current)
            reach = max(reach, end)
            key = span_key(paragraph_id, start, end, span.label)
            if user == layer_user_id:
                current.layer.append(LayerItem(SPAN, span.key, span.label, [Passage(paragraph, start, end)]))
                continue
            version = versions.get(key)
            if version is None:
                version = versions[key] = Version(SPAN, key, span, span.label, [Passage(paragraph, start, end)])
                current.versions.append(version)
            version.by[user] = span.key
        # After the loop: the layer's copy may sort before the annotators' version of the same offsets.
        for start, end, user, span in spans:
            key = span_key(paragraph_id, start, end, span.label)
            if user == layer_user_id and key in versions:
                versions[key].in_layer = span.key
    return clusters


def _stance_passages(data, item):
    return [Passage(data.paragraph(p), s, e) for p, s, e in item.evidence]


def _stance_clusters(data, article, ids, layer_user_id, versions):
    found = []  # Version, in the order they were met
    for user in ids:
        items = list(data.stances.get((article, user), ()))
        pairs = match_stances([version.item for version in found], items)
        for i, j in pairs:
            found[i].by[user] = items[j].key
        matched = {j for _, j in pairs}
        for j, item in enumerate(items):
            if j in matched:
                continue
            detail = data.stance_details[item.key]
            version = Version(
                STANCE, stance_key(item), item, item.polarity, _stance_passages(data, item), detail.holder, detail.target
            )
            version.by[user] = item.key
            found.append(version)
    clusters = {}
    for version in found:
        versions.setdefault(version.key, version)
        cluster = clusters.setdefault((version.item.holder, version.item.target), Cluster(STANCE, _first_place(version.passages)))
        cluster.versions.append(version)
    layer_items = list(data.stances.get((article, layer_user_id), ())) if layer_user_id else []
    pairs = match_stances([version.item for version in found], layer_items)
    for i, j in pairs:
        found[i].in_layer = layer_items[j].key
    for item in layer_items:
        detail = data.stance_details[item.key]
        passages = _stance_passages(data, item)
        cluster = clusters.setdefault((item.holder, item.target), Cluster(STANCE, _first_place(passages)))
        cluster.layer.append(LayerItem(STANCE, item.key, item.polarity, passages, detail.holder, detail.target))
    return list(clusters.values())


def _first_place(passages):
    first = min(passages, key=lambda p: (p.paragraph.position, p.start)) if passages else None
    return (first.paragraph.position, first.start) if first else (-1, 0)


def _mark_clusters(data, article, ids, layer_user_id, versions):
    clusters = []
    layer_marks = data.marks.get((article, layer_user_id), {}) if layer_user_id else {}
    for paragraph in data.paragraphs.get(article, ()):
        marks = {user: data.marks.get((article, user), {}).get(paragraph.pk) for user in ids}
        layer_category = layer_marks.get(paragraph.pk)
        if not any(marks.values()) and layer_category is None:
            continue
        cluster = Cluster(MARK, (paragraph.position, -1))
        whole = [Passage(paragraph, 0, len(paragraph.text))]
        for user, category in marks.items():
            if category is None:
                continue
            key = mark_key(paragraph.pk, category)
            if key not in versions:
                versions[key] = Version(MARK, key, (paragraph.pk, category), category, whole)
                cluster.versions.append(versions[key])
            versions[key].by[user] = None
        if layer_category is not None:
            cluster.layer.append(LayerItem(MARK, None, layer_category, whole))
            key = mark_key(paragraph.pk, layer_category)
            if key in versions:
                versions[key].in_layer = paragraph.pk  # a mark is known by its paragraph: one per author
        clusters.append(cluster)
    return clusters


def layer_annotation(board, kind, pk):
    """The layer's span or stance with this id (404 material: None when it is not the layer's, in this article)."""
    if board.layer_user_id is None or pk is None:
        return None
    if kind == SPAN:
        return Span.objects.filter(pk=pk, author_id=board.layer_user_id, paragraph__article=board.article).first()
    if kind == STANCE:
        return Stance.objects.filter(pk=pk, author_id=board.layer_user_id, article=board.article).first()
    return None


def layer_mark(board, paragraph_id):
    if board.layer_user_id is None:
        return None
    return BoilerplateMark.objects.filter(
        paragraph_id=paragraph_id, author_id=board.layer_user_id, paragraph__article=board.article
    ).first()
