"""The projects, agreement, curation and comparison pages in Arabic (issue 15): each page says its words in
Arabic, with no English sentence left in the page's main region; statuses and roles are translated; refusals
and flash messages are Arabic; the SVG downloads speak Arabic while the CSV headers stay the English names
programs read."""

# ruff: noqa: F811 (the fixtures imported from test_curation and test_compare are redefined as parameters)
import csv
import html as html_module
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Preference
from annotations.models import BoilerplateCategory
from projects import assigning
from projects.models import CAN_CURATE, CAN_MANAGE, Assignment, Membership, Project, Role, Status
from tests.test_compare import demo  # noqa: F401 (a fixture)
from tests.test_curation import annotated, curator, study  # noqa: F401 (fixtures)
from tests.utils import make_article

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

# ASCII words the main region may hold in Arabic: data (user names, label codes, the layer's account),
# formats and measures that are written so in Arabic too.
ALLOWED = {"analyst", "curator", "manager", "curated", "PER", "ORG", "LOC", "MISC", "SVG", "CSV", "F1", "mixed"}


@pytest.fixture
def arabic(settings):
    settings.LANGUAGE_CODE = "ar"  # the shipped default: an analyst with no preference reads Arabic


def main_text(response, data=True):
    """The words of <main>, tags, scripts and attribute values left out; without `data`, also the Arabic
    texts quoted from articles (passages, quotes and titles marked lang="ar", which may hold Latin acronyms)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    if not data:
        main = re.sub(r'<(p|blockquote|a)\b[^>]*lang="ar"[^>]*>.*?</\1>', " ", main, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def english_left(response):
    """ASCII words of three letters or more in the main region that are not data: ALLOWED, and the boilerplate
    categories' display names (catalogue data an administrator edits; the defaults are English)."""
    words = set(re.findall(r"[A-Za-z]{3,}", main_text(response, data=False)))
    categories = set(re.findall(r"[A-Za-z]+", " ".join(BoilerplateCategory.objects.values_list("display_name", flat=True))))
    return {w for w in words if w not in ALLOWED | categories and not w.startswith(("analyst", "curator", "manager"))}


def ok(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    assert '<html lang="ar" dir="rtl"' in response.content.decode()
    return response


@pytest.fixture
def queue(arabic, analyst, other_analyst, django_user_model):
    """A project of three articles, all assigned: two to the analyst (one of them in progress). The default
    project (its name and description are data, written in English by the migration) is left out."""
    Project.objects.all().delete()
    project = Project.objects.create(name="دراسة الحرة")
    manager = django_user_model.objects.create_user("manager1", password="manager-pass-123")
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=other_analyst, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    articles = [make_article([f"فقرة رقم {i} عن التعاون الأمني"], title=f"مقال {i}") for i in range(3)]
    project.articles.add(*articles)
    assigning.assign(project=project, articles=articles, annotators=[analyst, other_analyst], by=manager)
    first = Assignment.objects.filter(annotator=analyst).order_by("position").first()
    Assignment.objects.filter(pk=first.pk).update(status=Status.IN_PROGRESS)
    return {"project": project, "manager": manager, "articles": articles, "first": first}


def test_the_project_list_and_my_queue_are_arabic_with_translated_statuses_and_role(queue, analyst_client):
    listing = ok(analyst_client, reverse("projects:project_list"))
    text = main_text(listing)
    assert "المشاريع" in text and "مفتوح للجميع" in text and "لا" in text
    assert english_left(listing) == set()

    detail = ok(analyst_client, reverse("projects:project_detail", args=[queue["project"].pk]))
    text = main_text(detail)
    assert "قائمتي" in text and "دورك: مُعلِّق" in text
    assert "3 مقالات" in text  # Arabic's few form (3 to 10)
    assert "أُنجز 0 من 2." in text and "تابع: المقال التالي" in text
    assert "قيد العمل" in text and "جديد" in text  # the statuses
    assert "قارن الوسائل الإعلامية" in text
    assert english_left(detail) == set()


def test_an_analyst_who_chose_arabic_reads_it_when_the_default_is_english(settings, queue, analyst, analyst_client):
    settings.LANGUAGE_CODE = "en"
    Preference.objects.create(user=analyst, language="ar")
    response = analyst_client.get(reverse("projects:project_detail", args=[queue["project"].pk]))
    assert "قائمتي" in main_text(response) and "My queue" not in main_text(response)


def test_progress_and_assign_are_arabic_and_so_are_their_errors_and_flash(queue, client):
    client.force_login(queue["manager"])
    project = queue["project"]
    progress = ok(client, reverse("projects:progress", args=[project.pk]))
    text = main_text(progress)
    assert "سير العمل" in text and "المُعلِّقون" in text and "المنجز يوميًا" in text and "آخر تغيير" in text
    assert "المقالات المعلَّمة منجزة يوميًا، آخر 30 يومًا" in text  # the chart's title, many form (11 to 99)
    assert "لم يُعلَّم أي مقال منجزًا في آخر 30 يومًا." in text
    assert "analyst1</bdi>: قيد العمل" in progress.content.decode()
    assert '<option value="in_progress">قيد العمل</option>' in progress.content.decode()
    assert english_left(progress) == set()

    page = ok(client, reverse("projects:assign", args=[project.pk]))
    assert "المقالات التي لم تُسند لأحد بعد" in main_text(page) and "k (عدد المُعلِّقين لكل مقال)" in main_text(page)
    assert english_left(page) - {"k"} == set()
    refused = client.post(reverse("projects:assign", args=[project.pk]), {"which": "source", "mode": "round_robin"})
    assert refused.status_code == 400
    assert "اختر الوسيلة الإعلامية التي تُسند مقالاتها." in refused.content.decode()

    more = [make_article([f"فقرة جديدة {i}"], title=f"جديد {i}") for i in range(4)]
    project.articles.add(*more)
    annotators = list(project.memberships.filter(role=Role.ANNOTATOR).values_list("user_id", flat=True))
    made = client.post(
        reverse("projects:assign", args=[project.pk]),
        {"which": "unassigned", "annotators": annotators, "mode": "round_robin"},
        follow=True,
    )
    assert "أُنشئت 4 إسنادات." in made.content.decode()  # the few form


def test_a_refused_status_change_says_why_in_arabic(queue, analyst, analyst_client):
    first = queue["first"]
    done = analyst_client.post(reverse("projects:mark_done", args=[first.pk]), headers=HTMX)
    assert done.status_code == 200
    flash = json.loads(done["HX-Trigger"])["hamish:flash"]["message"]
    assert flash.startswith("عُلِّم منجزًا")
    assert "منجز: تعليقاتك هنا للقراءة فقط." in done.content.decode() and "إعادة فتح" in done.content.decode()
    again = analyst_client.post(reverse("projects:mark_done", args=[first.pk]), headers=HTMX)
    assert again.status_code == 409 and again.text == "هذا المقال معلَّم منجزًا من قبل."
    # Another annotator's assignment, by a form post: the message comes back with the page.
    theirs = Assignment.objects.exclude(annotator=analyst).first()
    page = analyst_client.post(reverse("projects:reopen", args=[theirs.pk]), follow=True)
    assert "هذا إسناد لمُعلِّق آخر." in page.content.decode()


def test_a_role_refusal_is_arabic(queue, analyst):
    project = Project.objects.get(pk=queue["project"].pk)
    with translation.override("ar"), pytest.raises(PermissionDenied, match="لا يفعل هذا إلا مديرو المشروع."):
        project.check_role(analyst, CAN_MANAGE, "managers")
    with translation.override("ar"), pytest.raises(PermissionDenied, match="لا يفعل هذا إلا مُراجِعو المشروع ومديروه."):
        project.check_role(analyst, CAN_CURATE, "curators and managers")
    with translation.override("en"):
        assert [str(label) for label in Role.labels] == ["Annotator", "Curator", "Manager"]
    with translation.override("ar"):
        assert [str(label) for label in Role.labels] == ["مُعلِّق", "مُراجِع", "مدير المشروع"]
        assert [str(label) for label in Status.labels] == ["جديد", "قيد العمل", "منجز"]


def test_agreement_and_disagreements_are_arabic(arabic, annotated, curator, client):
    project, article = annotated
    client.force_login(curator)
    page = ok(client, reverse("projects:agreement", args=[project.pk]))
    text = main_text(page)
    assert "اتفاق المعلّقين" in text and "الجميع معًا" in text and "أزواج المُعلِّقين" in text
    assert "κ لفلايس" in text and "α لكريبندورف" in text and "مُعلِّقان، المقالات: 1" in text
    assert english_left(page) == set()
    users = sorted(Assignment.objects.filter(project=project).values_list("annotator_id", flat=True))
    drill = ok(client, reverse("projects:disagreements", args=[project.pk, article.pk]), a=users[0], b=users[1])
    text = main_text(drill)
    assert "مواضع الاختلاف" in text and "وسم مختلف" in text and "مقتطف" in text and "قطبية مختلفة" in text
    assert english_left(drill) == set()
    bad = client.get(reverse("projects:disagreements", args=[project.pk, article.pk]), {"a": users[0], "b": users[0]})
    assert bad.status_code == 400 and "اختر مُعلِّقَين مختلفَين لهذا المقال." in bad.content.decode()


def test_the_curation_queue_board_and_its_messages_are_arabic(arabic, annotated, curator, client):
    project, article = annotated
    client.force_login(curator)
    listing = ok(client, reverse("projects:curation_queue", args=[project.pk]))
    assert "المقالات التي أُنجزت كل إسناداتها" in main_text(listing) and "لم تبدأ" in main_text(listing)
    assert english_left(listing) == set()

    board = ok(client, reverse("projects:curate", args=[project.pk, article.pk]))
    html, text = board.content.decode(), main_text(board)
    assert "الدمج التلقائي: صارت 3 تعليقات مما اتفق عليه المُعلِّقون في الطبقة المُراجَعة." in html  # the flash
    assert "5 نسخ مفتوحة" in text and "إنهاء المراجعة" in text and "الطبقة المُراجَعة" in text
    assert "مدموج تلقائيًا" in text and "مفتوح" in text and "يؤيد" in text and "محايد" in text
    assert "curator" not in text and "<bdi>analyst1</bdi>" in html
    assert english_left(board) == set()

    marked = client.post(reverse("projects:mark_curated", args=[project.pk, article.pk]), follow=True)
    html = marked.content.decode()
    assert "انتهت المراجعة" in html and "بقيت 5 نسخ مفتوحة: ليست في الطبقة المُراجَعة." in html
    assert "تمّت المراجعة." in main_text(marked)
    again = client.post(reverse("projects:mark_curated", args=[project.pk, article.pk]), headers=HTMX)
    assert again.status_code == 409 and again.text == "مراجعة هذا المقال منتهية من قبل."


def test_the_compare_page_and_its_svg_speak_arabic_and_the_csv_headers_stay_english(arabic, analyst_client, demo):  # noqa: F811
    page = ok(analyst_client, reverse("compare:event", args=[demo.pk]))
    text = main_text(page)
    for words in ("مقارنة الوسائل الإعلامية:", "العبارات × الوسائل الإعلامية", "طرق الكتابة", "الأصوات والمواقف", "الاهتمام"):
        assert words in text
    assert "حرفيًا" in text and "غائب" in text and "تواريخ النشر" in text
    assert english_left(page) == set()
    svg = analyst_client.get(reverse("compare:statements_svg", args=[demo.pk])).content.decode()
    assert "<title>العبارات × الوسائل الإعلامية</title>" in svg and "style=" not in svg
    assert re.search(r"<title>[^<]*: (حرفيًا|غائب|بصياغة أخرى، \d+%)</title>", svg)
    timeline = analyst_client.get(reverse("compare:timeline_svg", args=[demo.pk])).content.decode()
    assert "لا تُعرف تواريخ نشر." in timeline and 'direction="rtl"' in timeline  # the seeds carry no dates
    rows = list(
        csv.reader(io.StringIO(analyst_client.get(reverse("compare:statements_csv", args=[demo.pk])).text.lstrip("\ufeff")))
    )
    assert rows[0][:3] == ["family", "outlets", "text"]  # machine-facing: the same in every language
    assert analyst_client.get(reverse("compare:event", args=[demo.pk]), {"outlet": "x"}).text == (
        "يجب أن يكون مرشّح الوسيلة الإعلامية رقمَ وسيلة إعلامية."
    )


def test_names_inside_arabic_sentences_are_isolated_and_escaped(arabic, client, django_user_model):
    project = Project.objects.create(name='<b>x</b> "Study"')
    user = django_user_model.objects.create_user("<i>ann</i>", password="ann-pass-123456")
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    article = make_article(["فقرة"], title="مقال")
    project.articles.add(article)
    assigning.assign(project=project, articles=[article], annotators=[user], by=user)
    client.force_login(user)
    html = client.get(reverse("compare:event", args=[project.pk])).content.decode()
    assert "<bdi>&lt;b&gt;x&lt;/b&gt; &quot;Study&quot;</bdi>" in html and "<b>x</b>" not in html
    progress = client.get(reverse("projects:progress", args=[project.pk])).content.decode()
    assert "<bdi>&lt;i&gt;ann&lt;/i&gt;</bdi>: جديد" in progress and "<i>ann</i>" not in progress


def test_the_done_per_day_bars_run_from_the_right_in_arabic(queue, client, settings):
    client.force_login(queue["manager"])
    url = reverse("projects:progress", args=[queue["project"].pk])
    arabic_bars = client.get(url).context["chart"]["bars"]
    settings.LANGUAGE_CODE = "en"
    english = Client()  # a new session: the first one keeps the language it was given
    english.force_login(queue["manager"])
    english_bars = english.get(url).context["chart"]["bars"]
    assert english_bars[0]["x"] < english_bars[-1]["x"]  # oldest on the left
    assert arabic_bars[0]["x"] > arabic_bars[-1]["x"]  # oldest on the right
    assert [b["day"] for b in arabic_bars] == [b["day"] for b in english_bars]


def test_an_english_reader_still_gets_english(queue, analyst, settings):
    settings.LANGUAGE_CODE = "en"
    client = Client()
    client.force_login(analyst)
    text = main_text(client.get(reverse("projects:project_detail", args=[queue["project"].pk])))
    assert "My queue" in text and "3 articles" in text and "In progress" in text


MY_TEMPLATES = sorted(
    [*Path(__file__).resolve().parents[1].joinpath("templates", "projects").glob("*.html")]
    + [*Path(__file__).resolve().parents[1].joinpath("compare", "templates", "compare").glob("*.html")]
)
# Words a template may hold unmarked: formats named as such in Arabic too, and nothing else.
UNMARKED_ALLOWED = {"SVG", "CSV"}


def unmarked_words(source):
    """ASCII words a template would show that no translate or blocktranslate tag covers."""
    source = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*block main_class\s*%}.*?{%\s*endblock\s*%}", " ", source, flags=re.S)  # class names
    source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source)
    return {word for word in re.findall(r"[A-Za-z]{2,}", html_module.unescape(source)) if word not in UNMARKED_ALLOWED}


@pytest.mark.parametrize("template", MY_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_string_is_left_unmarked(template):
    assert unmarked_words(template.read_text(encoding="utf-8")) == set()


def test_the_unmarked_check_finds_an_unmarked_word():
    assert unmarked_words('{% translate "Done" %} <p title="x">Left out</p> {{ name }}') == {"Left", "out"}


def test_counts_follow_the_arabic_indic_digits_preference_but_links_and_offsets_do_not(queue, analyst):
    Preference.objects.create(user=analyst, language="ar", arabic_digits=True)
    client = Client()
    client.force_login(analyst)  # the preference is read at sign-in
    response = ok(client, reverse("projects:project_detail", args=[queue["project"].pk]))
    text, html = main_text(response), response.content.decode()
    assert "٣ مقالات" in text and "أُنجز ٠ من ٢." in text  # counts in the chrome
    assert f"/articles/{queue['articles'][0].pk}/?project={queue['project'].pk}" in html  # addresses untouched
    assert "3 مقالات" not in text


def test_a_curation_flash_isolates_the_label_inside_the_arabic_sentence(arabic, annotated, curator, client):
    project, article = annotated
    client.force_login(curator)
    board = client.get(reverse("projects:curate", args=[project.pk, article.pk])).context["board"]
    version = next(v for v in board.versions.values() if v.kind == "span" and v.is_open and v.label == "ORG")
    page = client.post(
        reverse("projects:curation_decide", args=[project.pk, article.pk]), {"key": version.key, "action": "take"}, follow=True
    )
    assert "اعتُمد في الطبقة المُراجَعة: مقتطف <bdi>ORG</bdi>." in page.content.decode()


def test_the_compare_tables_headers_say_their_language(settings, analyst_client, demo):
    settings.LANGUAGE_CODE = "en"
    html = analyst_client.get(reverse("compare:event", args=[demo.pk])).content.decode()
    assert '<table class="data grid" dir="rtl" lang="ar">' in html  # the data is Arabic
    assert '<th scope="col" lang="en">Statement</th>' in html  # the interface's words are not
