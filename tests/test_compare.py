"""The event comparison page (issue 17): its numbers equal counts made directly, for the demo seeds; scoping
to the project and to what the reader may read; downloads; a fixed number of queries."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Entity, Span
from annotations.stances import Choice
from corpus.importing import import_files, iter_paths
from corpus.models import Article, FamilyMember
from projects.models import Membership, Project
from tests.utils import add_span, add_stance, make_article

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"
JOINT = "وأشار بيان مشترك"  # the joint statement's opening, in 000 and 003


@pytest.fixture
def demo(analyst):
    # The seeds as setup_demo loads them (its accounts would clash with the analyst fixtures').
    for entry in json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))["articles"]:
        import_files(iter_paths([DEMO / entry["file"]]), source_name=entry["source"])
    project = Project.objects.create(name="حوار التعاون الأمني")  # closed: only its members read it
    project.articles.add(*Article.objects.all())
    Membership.objects.create(project=project, user=analyst)
    return project


def seed(prefix):
    return Article.objects.get(original_filename__contains=f"/{prefix}_")


def page(client, project, **params):
    response = client.get(reverse("compare:event", args=[project.pk]), params)
    assert response.status_code == 200
    return response


def test_the_joint_statement_is_one_row_carried_by_both_seeds_with_links_to_each_version(analyst_client, demo):
    first = seed("000").paragraphs.get(text__startswith=JOINT)
    family = FamilyMember.objects.get(paragraph=first).family_id
    members = FamilyMember.objects.filter(family_id=family).select_related("article", "paragraph")
    outlets = {m.article.source_id for m in members}
    assert {seed("000").source_id, seed("003").source_id} <= outlets  # the seeds' joint statement, counted directly
    response = page(analyst_client, demo)
    row = next(s for s in response.context["statements"] if s.family_id == family)
    assert set(row.cells) == outlets and row.carried == len(outlets)
    carried = [s.carried for s in response.context["statements"]]
    assert carried == sorted(carried, reverse=True)  # most carried first
    html = response.content.decode()
    for member in members:
        assert (
            f"{reverse('annotations:article', args=[member.article_id])}?project={demo.pk}#p{member.paragraph.position}" in html
        )
    assert reverse("annotations:paragraph_versions", args=[row.paragraph_id]) in html


def test_each_outlets_spellings_of_the_pentagon_officials_are_counted(analyst_client, demo, analyst, labels):
    wander = Entity.objects.create(name="سيليست واندر", label=labels["PER"])
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    for prefix, spelling in (("000", "سيليست واندر"), ("001", "سيليست والاندر"), ("003", "سيليست واندر")):
        paragraph = seed(prefix).paragraphs.get(text__contains=spelling)
        add_span(paragraph, spelling, "PER", author=analyst, entity=wander)
    for prefix in ("001", "002"):
        for paragraph in seed(prefix).paragraphs.filter(text__contains="سترول"):
            for occurrence in range(paragraph.text.count("سترول")):
                add_span(paragraph, "سترول", "PER", author=analyst, entity=stroul, occurrence=occurrence)
    response = page(analyst_client, demo)
    named = {n.pk: n for n in response.context["named"]}
    for entity in (wander, stroul):
        expected = {}
        for span in Span.objects.filter(entity=entity).select_related("paragraph__article"):
            texts = expected.setdefault(span.paragraph.article.source_id, {})
            texts[span.text] = texts.get(span.text, 0) + 1
        assert named[entity.pk].spellings == expected
    assert set(named[wander.pk].variants) == {"سيليست واندر", "سيليست والاندر"}
    html = response.content.decode()
    assert "سيليست والاندر" in html
    rows = list(
        csv.reader(io.StringIO(analyst_client.get(reverse("compare:spellings_csv", args=[demo.pk])).content.decode("utf-8-sig")))
    )
    assert ["سيليست واندر", seed("001").source.name, "سيليست والاندر", "1"] in rows
    attention = list(
        csv.reader(io.StringIO(analyst_client.get(reverse("compare:attention_csv", args=[demo.pk])).content.decode("utf-8-sig")))
    )
    stroul_row = next(r for r in attention if r[0] == "دانا سترول")
    assert int(stroul_row[-1]) == Span.objects.filter(entity=stroul).count()


def test_the_stance_matrix_colours_each_holder_and_target_and_filters_by_outlet(
    analyst_client, demo, analyst, labels, polarities
):
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    paragraph = seed("001").paragraphs.get(text__contains="دانا سترول")
    quote = paragraph.text[paragraph.text.index("دانا سترول") :][:30]
    add_stance(
        paragraph,
        quote,
        author=analyst,
        holder=Choice("entity", stroul.pk),
        target=Choice("name", name="الوجود العسكري الأمريكي"),
        polarity=polarities["opposes"],
    )
    response = page(analyst_client, demo)
    ((holder, name, cells),) = response.context["matrix"]
    assert name == "دانا سترول" and [p.polarity for _k, p in cells] == ["opposes"] and cells[0][1].count == 1
    assert 'class="pol-opposes"' in response.content.decode()
    assert response.context["voice_rows"][0][2] == 1
    assert page(analyst_client, demo, outlet=seed("000").source_id).context["matrix"] == []
    assert len(page(analyst_client, demo, outlet=seed("001").source_id).context["matrix"]) == 1
    for bad in ("abc", "²", "9" * 20, "-1"):
        refused = analyst_client.get(reverse("compare:event", args=[demo.pk]), {"outlet": bad})
        assert refused.status_code == 400 and b"outlet" in refused.content, bad


def test_a_stranger_to_the_closed_project_gets_404_and_other_articles_stay_out(demo, other_analyst, analyst_client):
    client = Client()
    client.force_login(other_analyst)
    for name in (
        "event",
        "statements_svg",
        "statements_csv",
        "spellings_csv",
        "attention_svg",
        "attention_csv",
        "stances_csv",
        "timeline_svg",
    ):
        assert client.get(reverse(f"compare:{name}", args=[demo.pk])).status_code == 404, name
    outside = make_article(source="خارج المشروع")
    response = page(analyst_client, demo)
    assert "خارج المشروع" not in response.content.decode()
    assert outside.source_id not in {o.pk for o in response.context["outlets"]}
    assert {o.pk for o in response.context["outlets"]} == set(demo.articles.values_list("source_id", flat=True))


def test_svg_downloads_are_svg_with_a_title_and_csv_matches_the_grid(analyst_client, demo):
    for name in ("statements_svg", "attention_svg", "timeline_svg"):
        response = analyst_client.get(reverse(f"compare:{name}", args=[demo.pk]))
        assert response["Content-Type"].startswith("image/svg+xml") and "attachment" in response["Content-Disposition"]
        body = response.content.decode()
        assert body.startswith("<svg") and "<title>" in body and "style=" not in body and "<script" not in body
    rows = list(
        csv.reader(io.StringIO(analyst_client.get(reverse("compare:statements_csv", args=[demo.pk])).content.decode("utf-8-sig")))
    )
    statements = page(analyst_client, demo).context["statements"]
    assert len(rows) == 1 + len(statements)
    assert [int(r[1]) for r in rows[1:]] == [s.carried for s in statements]


def test_the_page_costs_the_same_queries_for_five_or_twenty_five_articles(analyst_client, demo, django_assert_max_num_queries):
    def count():
        with CaptureQueriesContext(connection) as queries:
            page(analyst_client, demo)
        return len(queries)

    few = count()
    for i in range(20):
        demo.articles.add(
            make_article(
                [f"بيان مشترك رقم واحد عن الحوار الأمني بين البلدين اليوم {j}" for j in range(3)] + [f"فقرة خاصة {i}"],
                title=f"مقال {i}",
                source=f"منفذ {i}",
            )
        )
    assert count() == few
    with django_assert_max_num_queries(few):
        page(analyst_client, demo)


def test_a_holder_of_two_positions_toward_one_target_is_mixed_and_links_to_the_evidence(
    analyst_client, demo, analyst, labels, polarities
):
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    target = Choice("name", name="الوجود العسكري الأمريكي")
    first = seed("001").paragraphs.get(text__contains="دانا سترول")
    add_stance(
        first, "دانا سترول", author=analyst, holder=Choice("entity", stroul.pk), target=target, polarity=polarities["opposes"]
    )
    second = seed("002").paragraphs.get(text__contains="دانا سترول")
    add_stance(
        second, "دانا سترول", author=analyst, holder=Choice("entity", stroul.pk), target=target, polarity=polarities["supports"]
    )
    response = page(analyst_client, demo)
    ((_holder, _name, [(_key, position)]),) = response.context["matrix"]
    assert position.polarity == "mixed" and position.polarities == {"opposes": 1, "supports": 1}
    assert (
        f"{reverse('annotations:article', args=[first.article_id])}?project={demo.pk}#p{first.position}"
        in response.content.decode()
    )
    assert [counts for _n, counts, _t in response.context["voice_rows"]][0].count(1) == 2  # quoted by two outlets


def test_outlet_and_entity_names_are_escaped_in_tables_and_charts(analyst_client, demo, analyst, labels):
    evil = "<script>alert(1)</script>"
    demo.articles.add(make_article([JOINT + " " + "كلمة " * 30], source=evil))
    Entity.objects.create(name=evil, label=labels["PER"])
    span_entity = Entity.objects.get(name=evil)
    add_span(seed("000").paragraphs.get(text__startswith=JOINT), JOINT[:5], "PER", author=analyst, entity=span_entity)
    for name in ("event", "statements_svg", "attention_svg", "timeline_svg"):
        body = analyst_client.get(reverse(f"compare:{name}", args=[demo.pk])).content.decode()
        assert evil not in body, name


def test_the_stances_csv_lists_each_holder_and_target_with_its_polarity(analyst_client, demo, analyst, labels, polarities):
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    paragraph = seed("001").paragraphs.get(text__contains="دانا سترول")
    add_stance(
        paragraph,
        "دانا سترول",
        author=analyst,
        holder=Choice("entity", stroul.pk),
        target=Choice("name", name="الوجود العسكري الأمريكي"),
        polarity=polarities["opposes"],
    )
    response = analyst_client.get(reverse("compare:stances_csv", args=[demo.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["holder", "target", "polarity", "stances"], ["دانا سترول", "الوجود العسكري الأمريكي", "opposes", "1"]]


def test_families_past_the_cap_are_left_out_with_a_note(analyst_client, demo, monkeypatch):
    from compare import queries

    total = page(analyst_client, demo).context["family_total"]
    assert total > 2
    monkeypatch.setattr(queries, "FAMILIES_SHOWN", 2)
    response = page(analyst_client, demo)
    assert len(response.context["statements"]) == 2
    assert f"Showing the 2 most carried of {total} statements." in response.content.decode()
