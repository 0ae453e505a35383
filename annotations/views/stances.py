"""Stances through htmx (form, create, card, change, evidence, delete) and the per-target pages."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corpus.models import Article
from hamish.ids import parse_id
from projects.scope import allowed_for_request, scoped_articles
from projects.scope import refusal as project_refusal

from ..forms import SelectionForm, StanceCreateForm, StanceForm
from ..holders import likely_holder
from ..lookups import (
    get_evidence_for_editor,
    get_paragraph_for_reader,
    get_stance_for_editor,
    get_stance_for_reader,
)
from ..models import Entity, Label, Polarity, Span, Stance, Topic
from ..offsets import OffsetError, span_from_browser
from ..stances import add_evidence, create_stance, delete_stance, remove_evidence, update_stance
from .reader import render_paragraphs, span_scope
from .spans import first_error, posted_version, problem, refused

CHOICE_LIMIT = 300  # topics and entity names offered for typing; the rest are found by exact name


def form_choices(user, article, *, holder="", target="", current=None):
    """What the stance form offers: the article's entities and the analyst's unlinked mentions (holder,
    target), the topics, and names for the typing boxes, with `holder` and `target` ('entity:12', ...)
    selected. `current` is the stance being edited: its holder and target are offered even when they are
    not among the article's mentions. A bounded number of queries."""
    spans = list(
        Span.objects.filter(paragraph__article=article)
        .filter(Q(entity__isnull=False) | Q(author=user))
        .select_related("entity__label", "label", "paragraph")
        .order_by("paragraph__position", "start")
    )
    entities = {span.entity_id: span.entity for span in spans if span.entity_id}
    unlinked = [span for span in spans if not span.entity_id]
    topics = list(Topic.objects.annotate(uses=Count("stances")).order_by("-uses", "name")[:CHOICE_LIMIT])

    def entity_option(entity):
        return (f"entity:{entity.pk}", f"{entity.name} · {entity.label.name}")

    holder_groups = [
        (_("Entities in this article"), [entity_option(e) for e in entities.values()]),
        (_("Your unlinked mentions"), [(f"span:{s.pk}", f"{s.text} · {s.label.name}") for s in unlinked]),
    ]
    target_groups = [
        (_("Topics"), [(f"topic:{t.pk}", t.name) for t in topics]),
        (_("Entities in this article"), [entity_option(e) for e in entities.values()]),
    ]
    if current is not None:
        if current.holder_entity_id not in entities:
            holder_groups.insert(0, (_("Current"), [entity_option(current.holder_entity)]))
        if current.target_entity_id and current.target_entity_id not in entities:
            target_groups.insert(0, (_("Current"), [entity_option(current.target_entity)]))
        if current.target_topic_id and current.target_topic not in topics:
            target_groups.insert(0, (_("Current"), [(f"topic:{current.target_topic_id}", current.target_topic.name)]))
    return {
        "holder_groups": [(group, options) for group, options in holder_groups if options],
        "target_groups": [(group, options) for group, options in target_groups if options],
        "holder_value": holder,
        "target_value": target,
        "topic_names": [t.name for t in topics],
        "entity_names": Entity.objects.annotate(uses=Count("spans"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:CHOICE_LIMIT],
        "polarities": Polarity.objects.active(),
        "holder_labels": Label.objects.active(),
        "mentions": spans,
    }


@require_GET
def new(request, paragraph_id):
    """The stance form for a selected passage (checked now, so a bad selection is refused before typing)."""
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    selection = SelectionForm(request.GET)
    if not selection.is_valid():
        return problem(first_error(selection))
    data = selection.cleaned_data
    try:
        start, end = span_from_browser(paragraph.text, data["start"], data["end"], data["quote"])
    except OffsetError as exc:
        return problem(str(exc))
    choices = form_choices(request.user, paragraph.article)
    choices["polarities"] = allowed_for_request(request, paragraph.article_id).filter("polarities", choices["polarities"])
    choices["holder_value"] = likely_holder(choices["mentions"], paragraph, start)
    context = {"paragraph": paragraph, "selection": data, "quote": paragraph.text[start:end], **choices}
    return render(request, "annotations/stance_form.html", context)


@require_POST
def create(request, paragraph_id):
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    form = StanceCreateForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    refused_polarity = project_refusal(allowed_for_request(request, paragraph.article_id), polarity=form.cleaned_data["polarity"])
    if refused_polarity:
        return problem(refused_polarity)
    try:
        stance = create_stance(
            user=request.user, article=paragraph.article, evidence=[form.selection(paragraph)], **form.stance_arguments()
        )
    except ValidationError as exc:
        return problem(first_error(exc))
    return render_stance_change(request, stance.pk, flash=_("Stance saved. u undoes it."))


def stance_card_context(user, stance, *, request=None):
    context = {"stance": stance, "editable": stance.is_editable_by(user)}
    if context["editable"]:
        context.update(
            form_choices(
                user,
                stance.article,
                current=stance,
                holder=f"entity:{stance.holder_entity_id}",
                target=f"entity:{stance.target_entity_id}" if stance.target_entity_id else f"topic:{stance.target_topic_id}",
            )
        )
        if request is not None:  # read in a project: only its polarities (the stance's own stays shown)
            ids = allowed_for_request(request, stance.article_id).polarities
            context["polarities"] = [p for p in context["polarities"] if ids is None or p.pk in ids or p.pk == stance.polarity_id]
    return context


def render_stance_change(request, stance_id, *, also=(), flash=None):
    """The stance's evidence paragraphs re-rendered (they gain or lose underlines; `also` names paragraphs
    that just lost some), the panel, and the stance's card; `flash`, what the message area says."""
    stance = get_stance_for_reader(request.user, stance_id)
    paragraphs = list(dict.fromkeys([*(item.paragraph for item in stance.evidence.all()), *also]))
    extra = {
        "card_stance": stance,
        **stance_card_context(request.user, stance, request=request),
        **({"flash": flash} if flash else {}),
    }
    response = render_paragraphs(request, paragraphs, extra=extra)
    # The request targeted the paragraph it was made from (the new passage's, or the card's first), which
    # need not be the first one here; htmx would put this paragraph in its place, or drop it if an
    # out-of-band paragraph replaced the target first. Name the element it replaces.
    response["HX-Retarget"] = f"#{paragraphs[0].anchor}"
    response["HX-Reswap"] = "outerHTML"
    return response


def card_url(stance_id):
    return reverse("annotations:stance_card", args=[stance_id])


@require_GET
def card(request, stance_id):
    stance = get_stance_for_reader(request.user, stance_id)
    return render(request, "annotations/stance_card.html", stance_card_context(request.user, stance, request=request))


@require_POST
def update(request, stance_id):
    stance = get_stance_for_editor(request.user, stance_id)
    form = StanceForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    refused_polarity = project_refusal(allowed_for_request(request, stance.article_id), polarity=form.cleaned_data["polarity"])
    if refused_polarity:
        return problem(refused_polarity)
    try:
        update_stance(user=request.user, stance=stance, version=posted_version(request), **form.stance_arguments())
    except ValidationError as exc:
        return refused(exc, card_url(stance_id))
    return render_stance_change(request, stance_id, flash=_("Stance saved. u undoes the change."))


@require_POST
def evidence_add(request, stance_id):
    stance = get_stance_for_editor(request.user, stance_id)
    paragraph_id = parse_id(request.POST.get("paragraph"))
    if paragraph_id is None:
        return problem(_("Select the passage inside a paragraph of this article."))
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    try:
        add_evidence(user=request.user, stance=stance, selection=form.selection(paragraph), version=posted_version(request))
    except ValidationError as exc:
        return refused(exc, card_url(stance_id))
    return render_stance_change(request, stance_id)


@require_POST
def evidence_remove(request, evidence_id):
    evidence = get_evidence_for_editor(request.user, evidence_id)
    stance_id, paragraph = evidence.stance_id, evidence.paragraph
    try:
        remove_evidence(user=request.user, evidence=evidence, version=posted_version(request))
    except ValidationError as exc:
        return refused(exc, card_url(stance_id))
    return render_stance_change(request, stance_id, also=[paragraph])


@require_POST
def delete(request, stance_id):
    stance = get_stance_for_editor(request.user, stance_id)
    paragraphs = list(dict.fromkeys(item.paragraph for item in stance.evidence.all()))
    try:
        delete_stance(user=request.user, stance=stance, version=posted_version(request))
    except ValidationError as exc:
        return refused(exc, card_url(stance_id))
    return render_paragraphs(request, paragraphs, extra={"clear_card": True, "flash": _("Stance deleted. u undoes it.")})


# ---- pages per target ---------------------------------------------------------------------------


def visible_stances(request):
    """Stances in articles the user may read: everyone's by default (?annotator=me for one's own)."""
    stances = Stance.objects.filter(article__in=scoped_articles(request, Article.objects.for_reader(request.user)))
    if request.GET.get("annotator") == "me":
        stances = stances.filter(author=request.user)
    return stances


@require_GET
def target_index(request):
    stances = visible_stances(request)
    topics = (
        Topic.objects.filter(stances__in=stances)
        .annotate(stance_count=Count("stances", distinct=True), holder_count=Count("stances__holder_entity", distinct=True))
        .order_by("-stance_count", "name")
    )
    entities = (
        Entity.objects.filter(stances_targeted__in=stances)
        .select_related("label")
        .annotate(
            stance_count=Count("stances_targeted", distinct=True),
            holder_count=Count("stances_targeted__holder_entity", distinct=True),
        )
        .order_by("-stance_count", "name")
    )
    return render(
        request,
        "annotations/target_index.html",
        {"topics": topics, "entities": entities, "mine": request.GET.get("annotator") == "me"},
    )


def holder_table(stances, polarities):
    """Rows of (holder, [stances per polarity column]) sorted by how many stances the holder has."""
    cells = defaultdict(lambda: defaultdict(list))
    holders = {}
    for stance in stances:
        holders[stance.holder_entity_id] = stance.holder_entity
        cells[stance.holder_entity_id][stance.polarity_id].append(stance)
    rows = [(holders[pk], [cells[pk][polarity.pk] for polarity in polarities]) for pk in holders]
    return sorted(rows, key=lambda row: (-sum(len(cell) for cell in row[1]), row[0].name))


def target_page(request, target, stances):
    stances = list(
        stances.for_display().select_related("article__source").order_by("holder_entity__name", "article__source__name", "pk")
    )
    used = {stance.polarity_id for stance in stances}
    polarities = [p for p in Polarity.objects.all() if p.is_active or p.pk in used]
    context = {
        "target": target,
        "stances": stances,
        "polarities": polarities,
        "rows": holder_table(stances, polarities),
        "outlets": len({stance.article.source_id for stance in stances}),
        "mine": request.GET.get("annotator") == "me",
        "span_scope": span_scope(request),
    }
    return render(request, "annotations/target_detail.html", context)


@require_GET
def topic_detail(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    return target_page(request, topic, visible_stances(request).filter(target_topic=topic))


@require_GET
def entity_target_detail(request, pk):
    entity = get_object_or_404(Entity.objects.select_related("label"), pk=pk)
    return target_page(request, entity, visible_stances(request).filter(target_entity=entity))
