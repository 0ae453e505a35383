"""Suggestions: entity names found after folding, spans carried to other versions, accept, reject, accept all."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Entity, Span, SuggestionRejection
from annotations.spans import update_span
from annotations.suggestions import EntityIndex, align, suggestions_for
from corpus.models import Article, Paragraph
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds(labels):
    from corpus.management.commands.setup_demo import Command as SetupDemo

    SetupDemo(stdout=io.StringIO()).load_corpus()
    return {a.original_filename.rsplit("/", 1)[-1][:3]: a for a in Article.objects.all()}


def suggested(user, article):
    paragraphs = list(article.paragraphs.order_by("position"))
    own = Span.objects.filter(paragraph__article=article, author=user)
    return [s for group in suggestions_for(user, paragraphs, own_spans=own).values() for s in group]


def test_names_are_found_through_clitics_harakat_and_spelling(labels):
    entity = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    iraq = Entity.objects.create(name="العراق", label=labels["LOC"])
    text = "التقى وبلويد أُوستن ثم قال أوستن إن والعراق وللعراق شريكان"
    found = [(text[a:b], e.name) for a, b, e in EntityIndex([entity, iraq]).find(text)]
    assert found == [("لويد أُوستن", "لويد أوستن"), ("أوستن", "لويد أوستن"), ("العراق", "العراق"), ("للعراق", "العراق")]


def test_tagging_lloyd_austin_once_puts_every_other_mention_one_key_away(seeds, analyst, labels):
    first = next(p for p in seeds["000"].paragraphs.order_by("position") if "لويد أوستن" in p.text)
    span = add_span(first, "لويد أوستن", "PER", author=analyst)
    entity = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    update_span(user=analyst, span=span, entity=entity)
    for name, article in seeds.items():
        mentions = sum(p.text.count("أوستن") for p in article.paragraphs.all())
        austin = [s for s in suggested(analyst, article) if s.entity == entity]
        expected = mentions - (1 if name == "000" else 0)  # the tagged one is a span already
        assert len(austin) == expected, name
        for suggestion in austin:
            text = Paragraph.objects.get(pk=suggestion.paragraph_id).text
            assert text[suggestion.start : suggestion.end] == suggestion.text and suggestion.text.endswith("أوستن")


def test_spans_carry_over_to_the_same_statement_in_another_outlet(seeds, analyst):
    statement = next(p for p in seeds["000"].paragraphs.all() if p.text.startswith("وأشار بيان مشترك"))
    add_span(statement, "ثابت العباسي", "PER", author=analyst)
    add_span(statement, "سيليست واندر", "PER", author=analyst)
    copy = next(p for p in seeds["003"].paragraphs.all() if p.text.startswith("وأشار بيان مشترك"))
    carried = {(s.text, s.reason) for s in suggested(analyst, seeds["003"]) if s.paragraph_id == copy.pk}
    source = seeds["000"].source.name
    assert ("ثابت العباسي", f"your tag in {source}") in carried
    name = " ".join(copy.text[copy.text.index("سيليست") :].split()[:2])
    assert (name, f"your tag in {source}") in carried


def test_alignment_keeps_offsets_exact_across_small_rewordings():
    source = "التقى الوزير العباسي، بوزير الدفاع الأميركي لويد أوستن."
    target = "والتقى الوزير عباسي بوزير الدفاع الأمريكي لويد أُوستن أمس"
    carry = align(source, target)
    start = source.index("لويد أوستن")
    a, b = carry(start, start + len("لويد أوستن"))
    assert target[a:b] == "لويد أُوستن"
    start = source.index("بوزير الدفاع")
    a, b = carry(start, start + len("بوزير الدفاع"))
    assert target[a:b] == "بوزير الدفاع"
    inner = source.index("وزير الدفاع")  # starts inside بوزير: the same word there, so the cut carries
    a, b = carry(inner, inner + len("وزير الدفاع"))
    assert target[a:b] == "وزير الدفاع"
    start = source.index("الأميركي")  # spelled الأمريكي there: same skeleton, but not the same word
    assert carry(start, start + len("الأميركي")) is None


def decide(client, suggestion, action):
    return client.post(
        reverse("annotations:suggestion_decide", args=[suggestion.paragraph_id]),
        {
            "action": action,
            "start": suggestion.start,
            "end": suggestion.end,
            "label": suggestion.label.name,
            "entity": suggestion.entity.pk if suggestion.entity else "",
        },
        headers={"HX-Request": "true"},
    )


def test_accepting_makes_a_linked_span_and_rejecting_is_remembered_per_analyst(labels, analyst, other_analyst):
    entity = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    article = make_article(["التقى العباسي لويد أوستن في واشنطن.", "وقال أوستن إن الشراكة مستمرة."])
    first, second = suggested(analyst, article)
    client = Client()
    client.force_login(analyst)
    response = decide(client, first, "accept")
    assert response.status_code == 200 and 'class="seg depth-1' in response.content.decode()
    span = Span.objects.get()
    assert (span.text, span.entity, span.author) == ("لويد أوستن", entity, analyst)
    assert decide(client, second, "reject").status_code == 200
    assert SuggestionRejection.objects.filter(user=analyst).count() == 1
    assert suggested(analyst, article) == []  # one accepted, one rejected
    assert len(suggested(other_analyst, article)) == 2  # another analyst still sees both
    page = client.get(article.get_absolute_url()).content.decode()
    assert "suggestion" not in page.split('<div class="paragraphs">')[1].split("</div>")[0]


def test_bad_decisions_are_refused(labels, analyst):
    article = make_article(["نص قصير"])
    paragraph = article.paragraphs.get()
    client = Client()
    client.force_login(analyst)
    url = reverse("annotations:suggestion_decide", args=[paragraph.pk])
    for data, message in [
        ({"action": "accept", "start": 0, "end": 99, "label": "PER"}, "no longer fits"),
        ({"action": "accept", "start": 0, "end": 2, "label": "NOPE"}, "Unknown label"),
        ({"action": "maybe", "start": 0, "end": 2, "label": "PER"}, "valid choice"),
    ]:
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 422 and message in response.content.decode()
    assert not Span.objects.exists()
    assert Client().post(url, {"action": "accept"}).status_code == 302  # login first


def test_accept_all_in_an_article(labels, analyst):
    Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    Entity.objects.create(name="واشنطن", label=labels["LOC"])
    article = make_article(["التقى العباسي لويد أوستن في واشنطن.", "وقال أوستن إن واشنطن شريكة."])
    client = Client()
    client.force_login(analyst)
    response = client.post(reverse("annotations:suggestion_accept_all", args=[article.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert sorted(Span.objects.values_list("text", flat=True)) == sorted(["لويد أوستن", "واشنطن", "أوستن", "واشنطن"])
    assert "4 suggestions accepted" in client.get(article.get_absolute_url()).content.decode()


def test_suggestions_are_not_exported_until_accepted(labels, analyst):
    from annotations.interchange.formats import FORMATS
    from annotations.interchange.selection import build_query

    Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    article = make_article(["التقى العباسي لويد أوستن في واشنطن."])
    assert suggested(analyst, article)
    document = json.loads("".join(FORMATS["hamish"].chunks(build_query(None))))
    assert document["articles"][0]["spans"] == []


def test_the_versions_page_marks_the_differences(seeds, analyst_client):
    statement = next(p for p in seeds["000"].paragraphs.all() if p.text.startswith("وأشار بيان مشترك"))
    html = analyst_client.get(reverse("annotations:paragraph_versions", args=[statement.pk])).content.decode()
    assert "قريش" in html or seeds["003"].source.name in html
    assert '<mark class="changed">' in html and "Similarity" in html


def test_linking_an_entity_refreshes_the_paragraphs_where_it_is_now_suggested(labels, analyst):
    article = make_article(["التقى العباسي لويد أوستن في واشنطن.", "فقرة بلا أسماء.", "وقال أوستن إن الشراكة مستمرة."])
    first = article.paragraphs.get(position=0)
    span = add_span(first, "لويد أوستن", "PER", author=analyst)
    client = Client()
    client.force_login(analyst)
    response = client.post(
        reverse("annotations:span_update", args=[span.pk]),
        {"new_entity": "لويد أوستن", "create_entity": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="p2"' in html and "suggestion" in html.split('id="p2"')[1]  # re-rendered out of band, now suggested
    assert 'id="p1"' not in html  # untouched paragraphs are not sent


def test_no_suggestion_where_the_analyst_already_tagged_exactly_that_text(labels, analyst):
    Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    article = make_article(["التقى العباسي لويد أوستن في واشنطن.", "وقال لويد أوستن إن الشراكة مستمرة."])
    first = article.paragraphs.get(position=0)
    add_span(first, "لويد أوستن", "MISC", author=analyst)  # decided otherwise: no PER suggestion here
    assert [(s.paragraph_id, s.text) for s in suggested(analyst, article)] == [
        (article.paragraphs.get(position=1).pk, "لويد أوستن")
    ]


def test_the_entity_index_is_kept_until_entities_aliases_or_labels_change(labels, analyst):
    text = "التقى وزير الدفاع لويد أوستن بنظيره ثابت العباسي في البنتاغون."
    index = EntityIndex.current()
    assert EntityIndex.current() is index  # nothing changed: the same index, no rebuild
    assert index.find(text) == []
    austin = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    index = EntityIndex.current()
    assert [text[a:b] for a, b, _e in index.find(text)] == ["لويد أوستن"]
    assert EntityIndex.current() is index
    austin.aliases.create(name="البنتاغون")  # an alias (a silly one, for the test) is a change too
    assert [text[a:b] for a, b, _e in EntityIndex.current().find(text)] == ["لويد أوستن", "البنتاغون"]
    labels["PER"].display_name = "شخص (معدل)"
    labels["PER"].save()
    assert EntityIndex.current().find(text)[0][2].label.display_name == "شخص (معدل)"
    austin.delete()  # the alias goes with it (cascade)
    assert EntityIndex.current().find(text) == []


def test_a_rolled_back_entity_never_stays_in_the_index(labels, analyst):
    from django.db import transaction

    text = "قال ثابت العباسي إن الشراكة مستمرة."
    with pytest.raises(RuntimeError), transaction.atomic():
        Entity.objects.create(name="ثابت العباسي", label=labels["PER"])
        assert EntityIndex.current().find(text)  # seen inside the transaction
        raise RuntimeError("the write fails")
    assert EntityIndex.current().find(text) == []  # the rollback restored the old token with the old rows
