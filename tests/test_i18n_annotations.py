"""The annotation screens in Arabic (issue 15): the reading view with its panel and help, the span and stance
cards, the stance form, search, export, the audit log, the target and version pages say their words in Arabic
with no English sentence left; refusals that htmx shows come in Arabic; mixed-direction text is isolated (the
search help's folding rules read left to right, captions isolate their data)."""

import html as html_module
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Preference
from annotations.models import BoilerplateCategory, Span
from annotations.offsets import code_point_to_utf16
from annotations.stances import Choice
from corpus import search
from tests.utils import add_span, add_stance, make_article

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "وقالت الحرة إن وزير الدفاع العراقي ثابت العباسي التقى بنظيره لويد أوستن في واشنطن."
READ_ALSO = "إقرأ أيضا: العراق وأميركا"

# ASCII words the screens may show in Arabic: data (user names, label codes), keys and names of formats and tools
# that are written so in Arabic too. Polarity codes (supports) are not among them: an Arabic page shows the Arabic name.
ALLOWED = {
    "analyst", "admin", "PER", "ORG", "LOC", "MISC", "UTC", "Ctrl", "Shift", "Delete", "Esc",
    "Hamish", "JSON", "CoNLL", "BIO", "ANERcorp", "PERS", "doccano", "JSONL", "W3C", "Web", "Annotation", "JSON-LD", "LD",
    "NFC", "Schema", "txt", "Markdown", "https",
}  # fmt: skip


@pytest.fixture(autouse=True)
def arabic(settings):
    # The shipped default: an analyst with no preference reads Arabic. Autouse, so that it comes before the
    # clients log in (the language is kept in the session from then on).
    settings.LANGUAGE_CODE = "ar"


def visible_text(html, *, region="main"):
    """The words a reader sees in `region` (<main>, or the whole fragment for a partial): tags, scripts, <code>
    and attribute values left out, and the texts quoted from articles (marked lang="ar"), which are data."""
    if region == "main":
        html = html[html.index("<main") : html.index("</main>")]
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    # Label descriptions are catalogue data an administrator writes (the defaults are English).
    html = re.sub(r'<span class="help label-description"[^>]*>.*?</span>', " ", html, flags=re.S)
    for tag in ("blockquote", "a", "p", "span", "bdi", "h1"):
        html = re.sub(rf'<{tag}\b[^>]*lang="ar"[^>]*>.*?</{tag}>', " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def english_left(html, *, region="main"):
    """Latin words of three letters or more that are not data: ALLOWED and the boilerplate categories' display
    names (catalogue data an administrator edits; the defaults are English)."""
    words = set(re.findall(r"[A-Za-z][A-Za-z-]{2,}", visible_text(html, region=region)))
    categories = set(re.findall(r"[A-Za-z]+", " ".join(BoilerplateCategory.objects.values_list("display_name", flat=True))))
    return {w for w in words if w not in ALLOWED | categories}


@pytest.fixture
def world(analyst, labels, polarities, categories):
    """An article with a tagged person, a linked entity, a stance and a paragraph that looks like related links."""
    article = make_article([TEXT, READ_ALSO, "الفقرة الثالثة عن التعاون الأمني بين البلدين."], title="العباسي في واشنطن")
    first = article.paragraphs.get(position=0)
    span = add_span(first, "ثابت العباسي", "PER", author=analyst)
    add_span(first, "لويد أوستن", "PER", author=analyst)
    stance = add_stance(
        first,
        "التقى بنظيره لويد أوستن",
        author=analyst,
        holder=Choice("span", span.pk),
        target=Choice("name", name="التعاون الأمني"),
        polarity=polarities["supports"],
    )
    search.rebuild()  # make_article writes paragraphs directly, unindexed
    return {"article": article, "paragraph": first, "span": span, "stance": stance}


def get_ok(client, url, params=None, **kwargs):
    response = client.get(url, params or {}, **kwargs)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.content.decode()


def test_it_shows_the_reading_view_in_arabic(analyst_client, world):
    html = get_ok(analyst_client, world["article"].get_absolute_url())
    assert '<html lang="ar" dir="rtl">' in html
    for words in ("الوسوم", "المقتطفات", "المواقف في هذا المقال", "حشو الموقع", "الاقتراحات", "اختصارات لوحة المفاتيح"):
        assert words in html
    assert 'class="panel" dir="rtl" lang="ar"' in html and 'aria-label="لوحة التعليق"' in html
    assert "Keyboard shortcuts" not in html and "Showing my spans" not in html
    assert english_left(html) == set()


def test_it_isolates_the_data_of_a_boilerplate_hint_in_the_arabic_caption(analyst_client, world):
    html = get_ok(analyst_client, world["article"].get_absolute_url())
    # The category (English by default) and the quoted cue keep their own direction inside the Arabic sentence,
    # and the cue is quoted with guillemets, which mirror right in right-to-left text.
    assert (
        'data-boilerplate-hint="تبدو حشوًا للموقع (\u2068روابط ذات صلة\u2069: \u2068«إقرأ أيضا»\u2069) · المفتاح b يعلّمها"' in html
    )


def test_it_shows_the_span_card_in_arabic(analyst_client, world):
    html = get_ok(analyst_client, reverse("annotations:span_card", args=[world["span"].pk]), headers=HTMX)
    for words in ("الكيان:", "اربط بكيان", "احفظ الملاحظة", "احذف المقتطف", "كتبه <bdi>analyst1</bdi>"):
        assert words in html
    assert english_left(html, region="all") == set()


def test_it_shows_the_stance_card_and_the_stance_form_in_arabic(analyst_client, world):
    card = get_ok(analyst_client, reverse("annotations:stance_card", args=[world["stance"].pk]), headers=HTMX)
    for words in ("الشواهد:", "غيّر حامل الموقف أو القطبية أو المستهدَف أو الملاحظة", "احذف الموقف", "(موضوع)"):
        assert words in card
    assert english_left(card, region="all") == set()

    paragraph = world["paragraph"]
    quote = "التقى بنظيره"
    start = code_point_to_utf16(paragraph.text, paragraph.text.index(quote))
    params = {"start": start, "end": start + len(quote), "quote": quote}
    form = get_ok(analyst_client, reverse("annotations:stance_new", args=[paragraph.pk]), params, headers=HTMX)
    for words in ("موقف جديد", "حامل الموقف", "من يتخذ الموقف", "القطبية", "المستهدَف", "احفظ الموقف", "إلغاء"):
        assert words in form
    assert '<optgroup label="الكيانات في هذا المقال">' in form or '<optgroup label="إشاراتك غير المربوطة">' in form
    # The polarity's code (supports) is for exports: an Arabic form shows its Arabic name only.
    assert "> supports <" not in form
    assert english_left(form, region="all") == set()


def test_it_shows_search_in_arabic_with_the_folding_rules_isolated(analyst_client, world):
    html = get_ok(analyst_client, reverse("annotations:search"), {"q": "العباسي"})
    for words in ("الكلمات", "كل الوسائل الإعلامية", "بدون حشو الموقع", "فقرة واحدة تطابق «<bdi>العباسي</bdi>»."):
        assert words in html
    # Under RTL an arrow rule would read backwards ("ه → ة"): each rule is a left-to-right island, and each of its
    # sides an island of its own (the arrow between two Arabic letters would otherwise take their direction).
    for before, after in (("أ إ آ", "ا"), ("ى", "ي"), ("ة", "ه"), ("٠&lrm;-&lrm;٩", "0-9")):
        assert f'<bdi dir="ltr" class="rule"><bdi>{before}</bdi> → <bdi>{after}</bdi></bdi>' in html
    assert english_left(html) == set()


def test_it_shows_the_search_results_partial_in_arabic(analyst_client, world):
    html = get_ok(analyst_client, reverse("annotations:search"), {"q": "التعاون"}, headers=HTMX)
    assert "<html" not in html and "فقرة واحدة تطابق" in html and "الفقرة 3" in html
    assert english_left(html, region="all") == set()


def test_it_shows_the_export_page_in_arabic(analyst_client, world):
    html = get_ok(analyst_client, reverse("annotations:export"), {"article": world["article"].pk})
    for words in ("تصدير التعليقات", "هذا المقال:", "تعليقات من", "الصيغة", "تنزيل", "Hamish JSON (كل شيء، بمواضع دقيقة)"):
        assert words in html
    assert english_left(html) == set()


def test_it_explains_a_bad_export_in_arabic(analyst_client, world):
    response = analyst_client.get(reverse("annotations:export_download"), {"format": "pdf"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "تعذّر التصدير" in html and "صيغة تصدير غير معروفة." in html
    assert english_left(html) == set()


def test_it_shows_the_audit_log_in_arabic(staff_client, world):
    html = get_ok(staff_client, reverse("annotations:audit_log"))
    for words in ("سجل التدقيق", "متى (UTC)", "إنشاء مقتطف رقم", "إنشاء موقف رقم", "المقال", "كل الإجراءات"):
        assert words in html
    assert english_left(html) == set()


def test_it_refuses_the_audit_log_in_arabic(analyst_client, world):
    response = analyst_client.get(reverse("annotations:audit_log"))
    assert response.status_code == 403
    assert "لا يحق لحسابك قراءة سجل التدقيق" in response.content.decode()


def test_it_shows_the_target_pages_in_arabic(analyst_client, world):
    index = get_ok(analyst_client, reverse("annotations:target_index"))
    assert "المواقف بحسب المستهدَف" in index and english_left(index) == set()
    topic = world["stance"].target_topic
    detail = get_ok(analyst_client, reverse("annotations:topic_detail", args=[topic.pk]))
    assert "موقف واحد من حامل واحد في وسيلة إعلامية واحدة." in detail and "من يتخذ أي موقف" in detail
    assert english_left(detail) == set()


def test_it_answers_a_refused_span_in_arabic(analyst_client, world):
    paragraph = world["paragraph"]
    data = {"start": 0, "end": 5, "quote": "ليس النص", "label": "PER"}
    response = analyst_client.post(reverse("annotations:span_create", args=[paragraph.pk]), data, headers=HTMX)
    assert response.status_code == 422 and response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "النص المحدد لا يطابق الفقرة في هذه المواضع؛ أعد تحميل الصفحة وحاول مجددًا."
    assert Span.objects.count() == 2


def test_it_answers_a_stale_card_in_arabic(analyst_client, world):
    span = world["span"]
    url = reverse("annotations:span_update", args=[span.pk])
    assert analyst_client.post(url, {"note": "أولى", "version": 1}, headers=HTMX).status_code == 200
    response = analyst_client.post(url, {"note": "ثانية", "version": 1}, headers=HTMX)
    assert response.status_code == 409
    assert response.content.decode().startswith("عُدّل هذا المقتطف في تبويب آخر")
    span.refresh_from_db()
    assert span.note.strip().startswith("أولى") or "أولى" in span.note


def test_it_flashes_a_boilerplate_mark_in_arabic(analyst_client, world):
    paragraph = world["paragraph"]
    url = reverse("annotations:boilerplate_change", args=[paragraph.pk])
    response = analyst_client.post(url, {"action": "mark", "category": "other"}, headers=HTMX)
    assert response.status_code == 200
    # The header is JSON (ASCII-escaped): decoded, an Arabic sentence with the count agreeing.
    flash = json.loads(response["HX-Trigger"])["hamish:flash"]
    assert flash["kind"] == "warning"
    assert flash["message"].startswith("عُلِّمت حشوًا للموقع (")
    assert "في هذه الفقرة مقتطفان وشاهد على موقف واحد." in flash["message"]


def test_it_follows_the_analysts_preference_over_the_default(settings, world, analyst):
    settings.LANGUAGE_CODE = "en"
    Preference.objects.update_or_create(user=analyst, defaults={"language": "ar"})
    client = Client()
    client.force_login(analyst)
    html = get_ok(client, reverse("annotations:span_card", args=[world["span"].pk]), headers=HTMX)
    assert "احذف المقتطف" in html and "Delete span" not in html


def test_it_names_the_default_boilerplate_categories_in_arabic(analyst_client, world):
    paragraph = world["paragraph"]
    analyst_client.post(
        reverse("annotations:boilerplate_change", args=[paragraph.pk]), {"action": "mark", "category": "other"}, headers=HTMX
    )
    html = get_ok(analyst_client, reverse("annotations:boilerplate_card", args=[paragraph.pk]), headers=HTMX)
    assert "علّمتها <strong><bdi>أخرى</bdi></strong>" in html
    for name in ("روابط ذات صلة", "روابط التنقّل", "شرح صورة", "عنوان مكرّر"):
        assert f">{name}</button>" in html
    # Stricter than english_left: the default categories' English names are gone too.
    assert re.findall(r"[A-Za-z]{3,}", visible_text(html, region="all")) == []


def test_it_shows_a_category_an_administrator_renamed_as_written(analyst_client, world):
    BoilerplateCategory.objects.filter(name="other").update(display_name="متفرقات الموقع")
    paragraph = world["paragraph"]
    analyst_client.post(
        reverse("annotations:boilerplate_change", args=[paragraph.pk]), {"action": "mark", "category": "other"}, headers=HTMX
    )
    html = get_ok(analyst_client, reverse("annotations:boilerplate_card", args=[paragraph.pk]), headers=HTMX)
    assert "علّمتها <strong><bdi>متفرقات الموقع</bdi></strong>" in html


TEMPLATES = sorted(Path(__file__).resolve().parents[1].joinpath("templates", "annotations").glob("*.html"))
# Words a template may show unmarked: key caps and the Markdown name, written so in Arabic too.
UNMARKED_ALLOWED = {"Esc", "Shift", "Ctrl", "Delete", "Markdown"}
SHOWN_ATTRIBUTES = (
    "placeholder",
    "aria-label",
    "title",
    "alt",
    "hx-confirm",
    "label",
    "data-boilerplate",
    "data-boilerplate-hint",
)


def unmarked_words(source):
    """ASCII words a template would show, as text or in an attribute a reader sees or hears, that no translate
    or blocktranslate tag covers."""
    source = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*block main_class\s*%}.*?{%\s*endblock\s*%}", " ", source, flags=re.S)  # class names
    source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    attributes = "|".join(SHOWN_ATTRIBUTES)
    shown = " ".join(re.findall(rf'\s(?:{attributes})="([^"]*)"', source))
    source = re.sub(r"<[^>]*>", " ", source) + " " + shown
    return {word for word in re.findall(r"[A-Za-z]{2,}", html_module.unescape(source)) if word not in UNMARKED_ALLOWED}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_string_is_left_unmarked(template):
    assert unmarked_words(template.read_text(encoding="utf-8")) == set()


def test_the_unmarked_check_finds_unmarked_words():
    source = '{% translate "Done" %} <p title="Left">out</p> <input placeholder="{% translate "x" %}"> {{ name }}'
    assert unmarked_words(source) == {"Left", "out"}


def test_it_names_the_annotation_models_in_arabic_in_the_admin(staff_client, world):
    html = get_ok(staff_client, reverse("admin:app_list", args=["annotations"]))
    for name in ("التعليقات", "المقتطفات", "المواقف", "فئات حشو الموقع", "أحداث التعليقات"):
        assert name in html
    assert "Boilerplate categories" not in html and "Stance evidence" not in html
