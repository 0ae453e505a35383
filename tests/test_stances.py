"""Stances: the service's rules, the endpoints as the browser calls them, the per-target page."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.history import undo_last
from annotations.models import AnnotationEvent, Entity, Stance, StanceEvidence, Topic
from annotations.offsets import code_point_to_utf16
from annotations.stances import Choice, EvidenceSelection, add_evidence, delete_stance, remove_evidence, update_stance
from tests.utils import add_span, add_stance, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db

STROUL = "😀 وقالت نائبة مساعد وزير الدفاع دانا سترول إن الولايات المتحدة “لا تسعى لوجود عسكري دائم في العراق”."
SECOND = "وأضافت سترول أن الشراكة الدفاعية مستمرة."
EVIDENCE = "لا تسعى لوجود عسكري دائم في العراق"
TOPIC = "الوجود العسكري الأميركي الدائم في العراق"


@pytest.fixture
def article(labels, polarities):
    return make_article([STROUL, SECOND, "فقرة ثالثة بلا موقف."])


@pytest.fixture
def paragraph(article):
    return article.paragraphs.get(position=0)


@pytest.fixture
def stroul(paragraph, analyst):
    return add_span(paragraph, "دانا سترول", "PER", author=analyst)


def topic(name=TOPIC):
    return Choice("name", name=name)


def selection_data(text, quote):
    index = text.index(quote)
    return {"start": code_point_to_utf16(text, index), "end": code_point_to_utf16(text, index + len(quote)), "quote": quote}


def htmx(client, url, data=None):
    return client.post(url, data or {}, headers={"HX-Request": "true"})


# ---- service -----------------------------------------------------------------------------------


def test_a_stance_from_an_unlinked_mention_links_its_entity_and_keeps_exact_evidence(paragraph, stroul, analyst, polarities):
    stance = add_stance(
        paragraph, EVIDENCE, author=analyst, holder=Choice("span", stroul.pk), target=topic(), polarity=polarities["opposes"]
    )
    assert stance.holder_entity.name == "دانا سترول" and stance.holder_entity.label.name == "PER"
    assert stance.holder_span == stroul
    stroul.refresh_from_db()
    assert stroul.entity is None  # the analyst's span is not changed behind their back
    assert (stance.target_topic.name, stance.target_entity, stance.polarity.name) == (TOPIC, None, "opposes")
    evidence = stance.evidence.get()
    assert paragraph.text[evidence.start : evidence.end] == evidence.text == EVIDENCE  # code points, after an emoji
    event = AnnotationEvent.objects.get(kind="stance")
    assert (event.action, event.object_id, event.paragraph_id) == ("created", stance.pk, paragraph.pk)
    assert event.after["evidence"] == [[paragraph.pk, evidence.start, evidence.end, EVIDENCE]]


def test_a_typed_target_reuses_a_topic_then_an_entity_before_making_a_new_topic(paragraph, analyst, polarities, labels):
    iraq = Entity.objects.create(name="العراق", label=labels["LOC"])
    holder = Choice("name", name="دانا سترول")
    first = add_stance(paragraph, EVIDENCE, author=analyst, holder=holder, target=topic(), polarity=polarities["opposes"])
    second = add_stance(
        paragraph, "الولايات المتحدة", author=analyst, holder=holder, target=topic(), polarity=polarities["neutral"]
    )
    third = add_stance(
        paragraph, "وزير الدفاع", author=analyst, holder=holder, target=topic("العراق"), polarity=polarities["supports"]
    )
    assert first.target_topic == second.target_topic and Topic.objects.count() == 1
    assert third.target_entity == iraq and third.target_topic is None
    assert Entity.objects.filter(name="دانا سترول").count() == 1  # one holder entity, found by name the second time


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"polarity": None}, "polarity"),
        ({"holder": None}, "who holds"),
        ({"target": None}, "what the stance is about"),
        ({"target": Choice("topic", 999999)}, "no longer exists"),
        ({"holder": Choice("entity", 999999)}, "no longer exists"),
        ({"holder": Choice("topic", 1)}, "cannot hold"),
        ({"target": Choice("name", name="x" * 301)}, "at most 300"),
    ],
)
def test_invalid_stances_are_refused_and_change_nothing(paragraph, analyst, polarities, change, message):
    arguments = {"holder": Choice("name", name="دانا سترول"), "target": topic(), "polarity": polarities["opposes"], **change}
    before = annotation_snapshot()
    with pytest.raises(ValidationError, match=message):
        add_stance(paragraph, EVIDENCE, author=analyst, **arguments)
    assert annotation_snapshot() == before


def test_evidence_and_holders_must_come_from_the_stances_own_article(paragraph, stroul, analyst, polarities):
    elsewhere = make_article(["وقال لويد أوستن إن الولايات المتحدة باقية."], title="other").paragraphs.get()
    austin = add_span(elsewhere, "لويد أوستن", "PER", author=analyst)
    before = annotation_snapshot()
    with pytest.raises(ValidationError, match="must be a span in this article"):
        add_stance(
            paragraph, EVIDENCE, author=analyst, holder=Choice("span", austin.pk), target=topic(), polarity=polarities["opposes"]
        )
    foreign = EvidenceSelection(elsewhere, 0, 4, elsewhere.text[:4])
    from annotations.stances import create_stance

    with pytest.raises(ValidationError, match="own article"):
        create_stance(
            user=analyst,
            article=paragraph.article,
            evidence=[foreign],
            holder=Choice("span", stroul.pk),
            target=topic(),
            polarity=polarities["opposes"],
        )
    assert annotation_snapshot() == before  # no topic or entity was left behind either


def test_holder_and_target_must_differ_and_retired_polarities_are_refused(paragraph, analyst, polarities, labels):
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    with pytest.raises(ValidationError, match="must differ"):
        add_stance(
            paragraph,
            EVIDENCE,
            author=analyst,
            holder=Choice("entity", stroul.pk),
            target=Choice("entity", stroul.pk),
            polarity=polarities["opposes"],
        )
    polarities["mixed"].is_active = False
    polarities["mixed"].save()
    with pytest.raises(ValidationError, match="retired"):
        add_stance(
            paragraph, EVIDENCE, author=analyst, holder=Choice("entity", stroul.pk), target=topic(), polarity=polarities["mixed"]
        )


def test_a_quote_that_does_not_match_the_text_is_refused(paragraph, analyst, polarities):
    bad = EvidenceSelection(paragraph, 0, 6, "غير ذلك")
    from annotations.stances import create_stance

    with pytest.raises(ValidationError, match="Evidence:"):
        create_stance(
            user=analyst,
            article=paragraph.article,
            evidence=[bad],
            holder=Choice("name", name="س"),
            target=topic(),
            polarity=polarities["opposes"],
        )
    assert not Stance.objects.exists()


def test_only_the_author_or_an_admin_changes_a_stance(paragraph, analyst, other_analyst, admin, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    with pytest.raises(PermissionDenied):
        update_stance(user=other_analyst, stance=stance, polarity=polarities["supports"])
    with pytest.raises(PermissionDenied):
        delete_stance(user=other_analyst, stance=stance)
    update_stance(user=admin, stance=stance, polarity=polarities["mixed"], note="<b>مراجعة</b><script>x</script>")
    stance.refresh_from_db()
    assert stance.polarity.name == "mixed" and "<script>" not in stance.note and "<b>مراجعة</b>" in stance.note


def test_evidence_is_added_and_removed_but_never_the_last_passage(article, paragraph, analyst, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    second = article.paragraphs.get(position=1)
    data = selection_data(second.text, "الشراكة الدفاعية مستمرة")
    item = add_evidence(
        user=analyst, stance=stance, selection=EvidenceSelection(second, data["start"], data["end"], data["quote"])
    )
    assert [e.text for e in stance.evidence.all()] == [EVIDENCE, "الشراكة الدفاعية مستمرة"]
    with pytest.raises(ValidationError, match="already evidence"):
        add_evidence(user=analyst, stance=stance, selection=EvidenceSelection(second, data["start"], data["end"], data["quote"]))
    remove_evidence(user=analyst, evidence=item)
    with pytest.raises(ValidationError, match="at least one passage"):
        remove_evidence(user=analyst, evidence=stance.evidence.get())


def test_undo_reverses_a_stances_create_change_and_delete(paragraph, analyst, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    stance_id, evidence = stance.pk, list(stance.evidence.values_list("paragraph_id", "start", "end", "text"))
    update_stance(user=analyst, stance=stance, polarity=polarities["supports"])
    delete_stance(user=analyst, stance=stance)
    assert not StanceEvidence.objects.exists()

    assert undo_last(analyst).action == "deleted"
    restored = Stance.objects.get(pk=stance_id)
    assert list(restored.evidence.values_list("paragraph_id", "start", "end", "text")) == evidence
    assert restored.polarity.name == "supports"
    undo_last(analyst)
    restored.refresh_from_db()
    assert restored.polarity.name == "opposes"
    undo_last(analyst)
    assert not Stance.objects.exists() and not StanceEvidence.objects.exists()


# ---- endpoints ---------------------------------------------------------------------------------


def stance_post(paragraph, **extra):
    return {
        **selection_data(paragraph.text, EVIDENCE),
        "holder_name": "دانا سترول",
        "holder_label": "PER",
        "target_name": TOPIC,
        "polarity": "opposes",
        **extra,
    }


def test_the_form_preselects_the_person_quoted_before_the_evidence(analyst_client, paragraph, stroul):
    response = analyst_client.get(
        reverse("annotations:stance_new", args=[paragraph.pk]), selection_data(paragraph.text, EVIDENCE)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="span:{stroul.pk}" selected>' in html
    assert EVIDENCE in html and 'name="polarity" value="opposes"' in html


def test_the_form_refuses_a_bad_selection_before_anything_is_typed(analyst_client, paragraph):
    response = analyst_client.get(
        reverse("annotations:stance_new", args=[paragraph.pk]), {"start": 0, "end": 5, "quote": "نص آخر"}
    )
    assert response.status_code == 422 and "does not match" in response.content.decode()


def test_creating_a_stance_answers_with_underlined_evidence_the_panel_and_the_card(analyst_client, analyst, paragraph):
    response = htmx(analyst_client, reverse("annotations:stance_create", args=[paragraph.pk]), stance_post(paragraph))
    html = response.content.decode()
    assert response.status_code == 200, html
    stance = Stance.objects.get()
    assert stance.author == analyst and stance.evidence.get().text == EVIDENCE
    assert html.lstrip().startswith('<p id="p0" class="paragraph"')
    assert f'data-stances="{stance.pk}"' in html and "evidence" in html
    assert 'id="stance-panel"' in html and "دانا سترول" in html and TOPIC in html
    assert f'data-stance-id="{stance.pk}"' in html and "Delete stance" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"polarity": "loves"}, "Unknown polarity"),
        ({"polarity": ""}, "Choose the polarity"),
        ({"holder_name": "", "holder": "robot:3"}, "offered choices"),
        ({"holder_name": "", "holder": ""}, "who holds"),
        ({"target_name": "", "target": ""}, "what the stance is about"),
        ({"quote": "خطأ"}, "does not match"),
        ({"holder_label": "NOPE"}, "Unknown label"),
    ],
)
def test_bad_stance_posts_get_a_clear_422_and_change_nothing(analyst_client, paragraph, change, message):
    before = annotation_snapshot()
    response = htmx(analyst_client, reverse("annotations:stance_create", args=[paragraph.pk]), stance_post(paragraph, **change))
    assert response.status_code == 422 and message in response.content.decode()
    assert annotation_snapshot() == before


def test_a_holder_mention_from_another_article_is_refused(analyst_client, analyst, paragraph):
    elsewhere = make_article(["وقال لويد أوستن ذلك."], title="other").paragraphs.get()
    austin = add_span(elsewhere, "لويد أوستن", "PER", author=analyst)
    response = htmx(
        analyst_client,
        reverse("annotations:stance_create", args=[paragraph.pk]),
        stance_post(paragraph, holder_name="", holder=f"span:{austin.pk}"),
    )
    assert response.status_code == 422 and "in this article" in response.content.decode()
    assert not Stance.objects.exists()


def test_another_analysts_stance_cannot_be_changed_by_id(client, analyst, other_analyst, paragraph, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    evidence = stance.evidence.get()
    second = paragraph.article.paragraphs.get(position=1)
    client.force_login(other_analyst)
    before = annotation_snapshot()
    attempts = [
        (
            reverse("annotations:stance_update", args=[stance.pk]),
            {"holder": f"entity:{stance.holder_entity_id}", "target_name": "x", "polarity": "supports"},
        ),
        (reverse("annotations:stance_delete", args=[stance.pk]), {}),
        (reverse("annotations:evidence_add", args=[stance.pk]), {"paragraph": second.pk, **selection_data(second.text, "سترول")}),
        (reverse("annotations:evidence_remove", args=[evidence.pk]), {}),
    ]
    for url, data in attempts:
        assert htmx(client, url, data).status_code == 403, url
    assert annotation_snapshot() == before
    # Reading it is fine: the card says whose it is.
    card = client.get(reverse("annotations:stance_card", args=[stance.pk])).content.decode()
    assert "Only analyst1 or an administrator" in card and "Delete stance" not in card


def test_unknown_ids_are_404(analyst_client):
    for url in [
        reverse("annotations:stance_card", args=[999999]),
        reverse("annotations:stance_new", args=[999999]) + "?start=0&end=1&quote=x",
    ]:
        assert analyst_client.get(url).status_code == 404
    for url in [
        reverse("annotations:stance_update", args=[999999]),
        reverse("annotations:stance_delete", args=[999999]),
        reverse("annotations:evidence_add", args=[999999]),
        reverse("annotations:evidence_remove", args=[999999]),
        reverse("annotations:stance_create", args=[999999]),
    ]:
        assert htmx(analyst_client, url).status_code == 404, url


def test_stance_pages_need_a_login_and_writes_need_the_csrf_token(analyst, paragraph, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    anonymous = Client()
    for url in [
        reverse("annotations:target_index"),
        reverse("annotations:topic_detail", args=[stance.target_topic_id]),
        reverse("annotations:stance_card", args=[stance.pk]),
    ]:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(analyst)
    before = annotation_snapshot()
    assert checked.post(reverse("annotations:stance_delete", args=[stance.pk])).status_code == 403
    assert checked.post(reverse("annotations:stance_create", args=[paragraph.pk]), stance_post(paragraph)).status_code == 403
    assert annotation_snapshot() == before


def test_the_edit_form_changes_polarity_and_keeps_the_holder(analyst_client, analyst, paragraph, stroul, polarities):
    stance = add_stance(
        paragraph, EVIDENCE, author=analyst, holder=Choice("span", stroul.pk), target=topic(), polarity=polarities["opposes"]
    )
    card = analyst_client.get(reverse("annotations:stance_card", args=[stance.pk])).content.decode()
    assert f'<option value="entity:{stance.holder_entity_id}" selected>' in card
    assert f'<option value="topic:{stance.target_topic_id}" selected>' in card
    response = htmx(
        analyst_client,
        reverse("annotations:stance_update", args=[stance.pk]),
        {
            "holder": f"entity:{stance.holder_entity_id}",
            "target": f"topic:{stance.target_topic_id}",
            "polarity": "mixed",
            "note": "",
        },
    )
    assert response.status_code == 200
    stance.refresh_from_db()
    assert (stance.polarity.name, stance.holder_span_id) == ("mixed", stroul.pk)


def test_evidence_added_in_another_paragraph_re_renders_both(analyst_client, analyst, article, paragraph, polarities):
    stance = add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name="دانا سترول"),
        target=topic(),
        polarity=polarities["opposes"],
    )
    second = article.paragraphs.get(position=1)
    response = htmx(
        analyst_client,
        reverse("annotations:evidence_add", args=[stance.pk]),
        {"paragraph": second.pk, **selection_data(second.text, "الشراكة الدفاعية")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="p0"' in html and 'id="p1"' in html and html.count(f'data-stances="{stance.pk}"') == 2
    assert stance.evidence.count() == 2


def test_the_target_page_tabulates_holders_by_polarity_across_outlets(analyst_client, analyst, other_analyst, polarities, labels):
    for source, polarity, author in [
        ("الحرة", "opposes", analyst),
        ("قريش", "opposes", other_analyst),
        ("الأمصار", "supports", analyst),
    ]:
        p = make_article([f"{source}: {STROUL}"], source=source, title=source).paragraphs.get()
        add_stance(
            p, EVIDENCE, author=author, holder=Choice("name", name="دانا سترول"), target=topic(), polarity=polarities[polarity]
        )
    add_stance(
        p, "وزير الدفاع", author=analyst, holder=Choice("name", name="لويد أوستن"), target=topic(), polarity=polarities["neutral"]
    )
    topic_id = Topic.objects.get().pk
    response = analyst_client.get(reverse("annotations:topic_detail", args=[topic_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 stances by 2 holders in 3 outlets." in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "دانا سترول" in rows[0] and '<span class="count">2</span>' in rows[0] and '<span class="count">1</span>' in rows[0]
    assert "لويد أوستن" in rows[1]
    mine = analyst_client.get(reverse("annotations:topic_detail", args=[topic_id]), {"annotator": "me"}).content.decode()
    assert "3 stances by 2 holders" in mine
    index = analyst_client.get(reverse("annotations:target_index")).content.decode()
    assert TOPIC in index


def test_topic_and_entity_names_are_escaped(analyst_client, analyst, paragraph, polarities):
    payload = "<img src=x onerror=alert(1)>"
    add_stance(
        paragraph,
        EVIDENCE,
        author=analyst,
        holder=Choice("name", name=payload),
        target=topic(payload + "موضوع"),
        polarity=polarities["opposes"],
    )
    pages = [
        paragraph.article.get_absolute_url(),
        reverse("annotations:target_index"),
        reverse("annotations:topic_detail", args=[Topic.objects.get().pk]),
        reverse("annotations:stance_card", args=[Stance.objects.get().pk]),
    ]
    for url in pages:
        html = analyst_client.get(url).content.decode()
        assert payload not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, url


def test_the_article_page_makes_the_same_queries_with_few_and_many_stances(analyst_client, analyst, polarities, labels):
    article = make_article([f"الفقرة {i}: وقالت دانا سترول إن الولايات المتحدة لا تسعى لوجود دائم" for i in range(60)])
    paragraphs = list(article.paragraphs.all())

    def record(count):
        for i in range(count):
            add_stance(
                paragraphs[i % 60],
                "لا تسعى لوجود دائم",
                author=analyst,
                holder=Choice("name", name=f"حامل {i % 7}"),
                target=topic(f"موضوع {i % 5}"),
                polarity=polarities[["supports", "opposes", "neutral", "mixed"][i % 4]],
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    record(2)
    few = count_queries()
    record(198)
    assert Stance.objects.count() == 200
    assert count_queries() == few


def test_undo_of_a_stance_through_the_endpoint_retargets_its_paragraph(analyst_client, analyst, paragraph):
    htmx(analyst_client, reverse("annotations:stance_create", args=[paragraph.pk]), stance_post(paragraph))
    response = htmx(analyst_client, reverse("annotations:undo"), {"article": paragraph.article_id})
    assert response.status_code == 200 and response["HX-Retarget"] == "#p0"
    assert not Stance.objects.exists()
    assert "stance" in json.loads(response["HX-Trigger"])["hamish:flash"]["message"]
