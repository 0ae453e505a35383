"""Two tabs (or two devices) of one analyst change the same annotation at once: history stays exact.

The deterministic cases keep a stale copy of an annotation, as a second tab does, change the row
through a fresh copy, then act on the stale one. The threaded cases race real transactions on a file
database (SQLite) or PostgreSQL. After every case the audit log is checked as a chain: for each
annotation, each event's `before` equals the previous event's `after`.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from annotations import history
from annotations.boilerplate import mark_boilerplate, toggle_boilerplate, unmark_boilerplate
from annotations.conflicts import Conflict, Gone
from annotations.models import AnnotationEvent, BoilerplateMark, Span, Stance, StanceEvidence
from annotations.spans import delete_span, update_span
from annotations.stances import Choice, EvidenceSelection, add_evidence, delete_stance, remove_evidence, update_stance
from tests.utils import add_span, add_stance, make_article

EVIDENCE = "الولايات المتحدة لا تسعى لوجود عسكري دائم في العراق"


def assert_history_is_a_chain():
    """For every annotation: events in order, each `before` the previous `after`; created first."""
    chains = {}
    for event in AnnotationEvent.objects.order_by("pk"):
        chains.setdefault((event.kind, event.object_id), []).append(event)
    for (kind, object_id), events in chains.items():
        previous_after = None
        for event in events:
            assert event.before == previous_after, f"{kind} {object_id}: {event.action} #{event.pk} does not follow on"
            previous_after = event.after
        model = history.KINDS[kind].model
        row = model.objects.filter(pk=object_id).first()
        if row is None:
            assert previous_after is None, f"{kind} {object_id} is gone but its last event says it exists"
        else:
            assert previous_after == history.snapshot(row), f"{kind} {object_id}: the row differs from its last event"


def stale_copy(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def paragraph(labels, polarities, categories):
    return make_article().paragraphs.get(position=2)


@pytest.fixture
def span(paragraph, analyst):
    return add_span(paragraph, "دانا سترول", "PER", author=analyst)


@pytest.fixture
def stance(paragraph, analyst, polarities):
    return add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=Choice("name", name="الوجود العسكري"),
        polarity=polarities["opposes"],
    )


# ---- spans: deterministic, stale copies ------------------------------------------------------------


def test_a_span_deleted_in_one_tab_is_not_brought_back_by_a_relabel_in_the_other(span, analyst, labels):
    other_tab = stale_copy(span)
    delete_span(user=analyst, span=span)
    with pytest.raises(Gone):
        update_span(user=analyst, span=other_tab, label=labels["ORG"])
    assert not Span.objects.filter(pk=span.pk).exists()
    assert list(AnnotationEvent.objects.values_list("action", flat=True).order_by("pk")) == ["created", "deleted"]
    assert_history_is_a_chain()


def test_delete_racing_delete_logs_one_deletion(span, analyst):
    other_tab = stale_copy(span)
    delete_span(user=analyst, span=span)
    with pytest.raises(Gone):
        delete_span(user=analyst, span=other_tab)
    assert AnnotationEvent.objects.filter(action="deleted").count() == 1
    assert_history_is_a_chain()


def test_two_unversioned_relabels_both_enter_the_history_in_order(span, analyst, labels):
    other_tab = stale_copy(span)
    update_span(user=analyst, span=span, label=labels["ORG"])
    update_span(user=analyst, span=other_tab, label=labels["LOC"])  # its copy still says PER
    second = AnnotationEvent.objects.filter(action="changed").order_by("pk").last()
    assert second.before["label_id"] == labels["ORG"].pk, "the first change vanished from the history"
    assert Span.objects.get(pk=span.pk).label_id == labels["LOC"].pk
    assert_history_is_a_chain()


def test_a_relabel_from_a_stale_card_is_refused_and_changes_nothing(span, analyst, labels):
    shown = span.version
    update_span(user=analyst, span=span, version=shown, label=labels["ORG"])
    with pytest.raises(Conflict):
        update_span(user=analyst, span=stale_copy(span), version=shown, label=labels["LOC"])
    current = Span.objects.get(pk=span.pk)
    assert (current.label_id, current.version) == (labels["ORG"].pk, shown + 1)
    assert AnnotationEvent.objects.filter(action="changed").count() == 1
    assert_history_is_a_chain()


def test_a_delete_from_a_stale_card_is_refused(span, analyst, labels):
    shown = span.version
    update_span(user=analyst, span=span, note="<b>checked</b>")
    with pytest.raises(Conflict):
        delete_span(user=analyst, span=span, version=shown)
    assert Span.objects.filter(pk=span.pk).exists()


def test_a_delete_records_and_undo_restores_the_current_label_not_the_stale_one(span, analyst, labels):
    other_tab = stale_copy(span)  # still PER
    update_span(user=analyst, span=span, label=labels["ORG"])
    delete_span(user=analyst, span=other_tab)
    assert AnnotationEvent.objects.get(action="deleted").before["label_id"] == labels["ORG"].pk
    history.undo_last(analyst)
    assert Span.objects.get(pk=span.pk).label_id == labels["ORG"].pk
    assert_history_is_a_chain()


def test_undo_after_a_delete_in_another_tab_undoes_the_delete_not_the_create_twice(span, analyst):
    delete_span(user=analyst, span=stale_copy(span))
    undone = history.undo_last(analyst)
    assert undone.action == "deleted"
    assert Span.objects.filter(pk=span.pk).exists()
    assert AnnotationEvent.objects.filter(action="deleted").count() == 1
    assert_history_is_a_chain()


def test_undo_passes_over_an_action_someone_else_overtook(span, analyst, admin, paragraph):
    earlier = add_span(paragraph, "العراق", "LOC", author=analyst)
    delete_span(user=admin, span=stale_copy(span))  # the administrator removed the analyst's newest span
    undone = history.undo_last(analyst)
    assert undone.object_id == earlier.pk, "undo must not log a second deletion of a span already gone"
    assert AnnotationEvent.objects.filter(object_id=span.pk, action="deleted").count() == 1
    assert_history_is_a_chain()


def test_an_undo_that_lost_its_event_to_another_tab_takes_the_next_one(span, analyst, paragraph, monkeypatch):
    second = add_span(paragraph, "العراق", "LOC", author=analyst)
    stale_candidate = history.last_undoable_event(analyst)
    history.undo_last(analyst)  # the other tab undid `second` first
    calls = []
    real = history.last_undoable_event

    def first_call_is_stale(user, article_id=None):
        calls.append(1)
        return stale_candidate if len(calls) == 1 else real(user, article_id)

    monkeypatch.setattr(history, "last_undoable_event", first_call_is_stale)
    undone = history.undo_last(analyst)
    assert undone.object_id == span.pk and stale_candidate.object_id == second.pk
    assert AnnotationEvent.objects.filter(undoes__object_id=second.pk).count() == 1
    assert_history_is_a_chain()


# ---- stances and evidence ---------------------------------------------------------------------------


def test_a_stance_deleted_in_one_tab_cannot_be_changed_in_the_other(stance, analyst, polarities):
    other_tab = stale_copy(stance)
    delete_stance(user=analyst, stance=stance)
    with pytest.raises(Gone):
        update_stance(user=analyst, stance=other_tab, polarity=polarities["supports"])
    with pytest.raises(Gone):
        delete_stance(user=analyst, stance=other_tab)
    assert not Stance.objects.exists()
    assert AnnotationEvent.objects.filter(kind="stance", action="deleted").count() == 1
    assert_history_is_a_chain()


def test_a_stance_change_from_a_stale_card_is_refused(stance, analyst, polarities):
    shown = stance.version
    update_stance(user=analyst, stance=stance, version=shown, polarity=polarities["supports"])
    with pytest.raises(Conflict):
        update_stance(user=analyst, stance=stale_copy(stance), version=shown, polarity=polarities["neutral"])
    assert Stance.objects.get().polarity == polarities["supports"]
    assert_history_is_a_chain()


def test_evidence_changes_raise_the_stance_version_and_follow_on_in_history(stance, analyst, paragraph):
    quote = "دانا سترول"
    start = paragraph.text.index(quote)
    add_evidence(
        user=analyst, stance=stale_copy(stance), selection=EvidenceSelection(paragraph, start, start + len(quote), quote)
    )
    assert Stance.objects.get().version == stance.version + 1
    first, second = StanceEvidence.objects.order_by("pk")
    other_tab = stale_copy(second)
    remove_evidence(user=analyst, evidence=second)
    with pytest.raises(Gone):
        remove_evidence(user=analyst, evidence=other_tab)
    with pytest.raises(ValidationError):
        remove_evidence(user=analyst, evidence=first)  # the last passage stays
    assert StanceEvidence.objects.count() == 1
    assert_history_is_a_chain()


# ---- boilerplate marks ------------------------------------------------------------------------------


def test_boilerplate_marks_race_like_the_rest(paragraph, analyst, categories):
    mark = mark_boilerplate(user=analyst, paragraph=paragraph, category=categories["related"])
    shown = mark.version
    other_tab = stale_copy(mark)
    mark_boilerplate(user=analyst, paragraph=paragraph, category=categories["navigation"], version=shown)
    with pytest.raises(Conflict):
        mark_boilerplate(user=analyst, paragraph=paragraph, category=categories["byline"], version=shown)
    unmark_boilerplate(user=analyst, mark=mark)
    with pytest.raises(Gone):
        unmark_boilerplate(user=analyst, mark=other_tab)
    with pytest.raises(Gone):
        mark_boilerplate(user=analyst, paragraph=paragraph, category=categories["byline"], version=shown + 1)
    assert not BoilerplateMark.objects.exists()
    assert_history_is_a_chain()


# ---- the same through HTTP: 404 / 409 with a message, and the current card named ------------------


def test_a_stale_card_gets_409_with_the_current_card_and_a_deleted_span_404(analyst_client, span, labels):
    url = f"/spans/{span.pk}/update/"
    headers = {"HTTP_HX_REQUEST": "true"}
    assert analyst_client.post(url, {"label": "ORG", "version": span.version}, **headers).status_code == 200
    stale = analyst_client.post(url, {"label": "LOC", "version": span.version}, **headers)
    assert stale.status_code == 409
    assert "another tab" in stale.content.decode()
    assert stale["Hamish-Refresh"] == f"/spans/{span.pk}/"
    assert analyst_client.post(url, {"label": "LOC", "version": "²"}, **headers).status_code == 422
    assert Span.objects.get(pk=span.pk).label_id == labels["ORG"].pk
    delete_span(user=span.author, span=span)
    gone = analyst_client.post(f"/spans/{span.pk}/delete/", {"version": 2}, **headers)
    assert gone.status_code == 404


# ---- threads: real transactions racing ---------------------------------------------------------------


def race(*actions):
    """Run the actions at the same moment in threads; return what each raised (None if nothing)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # collected for the assertions in the main thread
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing write hung"
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(6))
def test_threads_racing_delete_relabel_and_undo_keep_an_exact_history(attempt, django_user_model, labels, polarities, categories):
    analyst = django_user_model.objects.create_user("tabs")
    paragraph = make_article().paragraphs.get(position=2)
    span = add_span(paragraph, "دانا سترول", "PER", author=analyst)
    tabs = [stale_copy(span) for _ in range(3)]  # each tab loaded the span before anyone acted
    outcomes = race(
        lambda: delete_span(user=analyst, span=tabs[0]),
        lambda: update_span(user=analyst, span=tabs[1], label=labels["ORG"]),
        lambda: update_span(user=analyst, span=tabs[2], note=f"try {attempt}"),
        lambda: history.undo_last(analyst),
        lambda: history.undo_last(analyst),
    )
    for outcome in outcomes:
        assert outcome is None or isinstance(outcome, ValidationError), repr(outcome)
    assert AnnotationEvent.objects.filter(action="deleted", undoes__isnull=True).count() <= 1
    undone = list(AnnotationEvent.objects.filter(undoes__isnull=False).values_list("undoes_id", flat=True))
    assert len(undone) == len(set(undone)), "one event undone twice"
    assert_history_is_a_chain()


@pytest.mark.django_db(transaction=True)
def test_threads_racing_on_a_stance_and_a_mark_keep_an_exact_history(django_user_model, labels, polarities, categories):
    analyst = django_user_model.objects.create_user("tabs")
    paragraph = make_article().paragraphs.get(position=2)
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=Choice("name", name="الوجود العسكري"),
        polarity=polarities["opposes"],
    )
    tabs = [stale_copy(stance) for _ in range(3)]
    outcomes = race(
        lambda: update_stance(user=analyst, stance=tabs[0], polarity=polarities["supports"]),
        lambda: update_stance(user=analyst, stance=tabs[1], version=stance.version, note="seen v1"),
        lambda: delete_stance(user=analyst, stance=tabs[2]),
        lambda: toggle_boilerplate(user=analyst, paragraph=paragraph, category=categories["related"]),
        lambda: toggle_boilerplate(user=analyst, paragraph=paragraph, category=categories["related"]),
    )
    for outcome in outcomes:
        assert outcome is None or isinstance(outcome, ValidationError), repr(outcome)
    assert BoilerplateMark.objects.count() == 0, "two toggles at once: marked, then unmarked"
    assert_history_is_a_chain()
