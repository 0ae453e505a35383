"""The core pages in Arabic: digits as the analyst prefers them (counts and dates only, never article text),
the import report written in the importer's language with titles and file names isolated, dates through the
interface language, and messages before login in the browser's language."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Preference
from accounts.numerals import arabic_digits_wanted, localize_digits
from accounts.templatetags.numerals import numerals
from corpus.models import Article
from hamish.bidi import FSI, PDI, isolates_to_bdi, strip_isolates
from jobs.models import Job
from tests.utils import make_article

IMPORT_URL = reverse("corpus:import")


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def prefer(user, language="ar", arabic_digits=False):
    Preference.objects.update_or_create(user=user, defaults={"language": language, "arabic_digits": arabic_digits})


def logged_in(user):
    client = Client()
    client.force_login(user)  # after the preference: the login copies it into the session
    return client


# --- digits ------------------------------------------------------------------------------------------------


@pytest.fixture
def corpus_of_three(db):
    make_article(["بيان 2023 الأول.", "فقرة ثانية."], title="بيان التحالف لعام 2023")
    make_article(["فقرة واحدة فقط."], title="خبر ثان")
    make_article(["خبر ثالث.", "ب", "ج"], title="خبر ثالث")


def test_it_writes_counts_in_arabic_indic_digits_for_an_analyst_who_asks(analyst, corpus_of_three):
    prefer(analyst, "ar", arabic_digits=True)
    page = text_of(logged_in(analyst).get("/"))
    assert "٣ مقالات" in page and "3 مقالات" not in page
    assert "٣ فقرات" in page  # the third article's count
    # Article text and titles keep the digits they were written with.
    assert "بيان التحالف لعام 2023" in page and "٢٠٢٣" not in page


def test_it_tells_the_pages_scripts_which_digits_to_write(analyst, db):
    prefer(analyst, "ar", arabic_digits=True)
    assert '<html lang="ar" dir="rtl" data-digits="arabic-indic">' in logged_in(analyst).get("/").content.decode()
    prefer(analyst, "en", arabic_digits=True)
    assert '<html lang="en" dir="ltr">' in logged_in(analyst).get("/").content.decode()


def test_it_keeps_western_digits_unless_asked_and_in_english(analyst, corpus_of_three):
    prefer(analyst, "ar", arabic_digits=False)
    page = text_of(logged_in(analyst).get("/"))
    assert "3 مقالات" in page and "٣" not in page
    prefer(analyst, "en", arabic_digits=True)  # the preference only applies to the Arabic interface
    page = text_of(logged_in(analyst).get("/"))
    assert "3 articles" in page and "٣" not in page


def test_it_writes_dates_and_job_counts_in_the_chosen_digits(admin):
    prefer(admin, "ar", arabic_digits=True)
    client = logged_in(admin)
    client.post(IMPORT_URL, {"files": [SimpleUploadedFile("a.txt", "عنوان\nنص.".encode())]})
    job = Job.objects.get()
    page = text_of(client.get(job.get_absolute_url()))
    assert "أُنجز ١ من ١ ملف" in page
    assert job.created_at.strftime("%Y") not in page.split("<main", 1)[1].split("import-report")[0]
    year = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in job.created_at.strftime("%Y"))
    assert year in page


def test_the_filter_changes_digits_only_and_keeps_safe_text_safe(settings):
    token = arabic_digits_wanted.set(True)
    try:
        with translation.override("ar"):
            assert localize_digits(1234) == "١٢٣٤"
            assert numerals("12 <b>3</b>") == "١٢ <b>٣</b>"
            assert numerals(None) is None
        with translation.override("en"):
            assert localize_digits(1234) == "1234"
    finally:
        arabic_digits_wanted.reset(token)
    with translation.override("ar"):
        assert localize_digits(1234) == "1234"  # nobody asked


def test_it_offers_the_digits_choice_on_the_preferences_page(analyst_client, analyst):
    analyst_client.post("/accounts/preferences/", {"language": "ar", "arabic_digits": "on"})
    assert Preference.objects.get(user=analyst).arabic_digits
    analyst_client.post("/accounts/preferences/", {"language": "ar"})
    assert not Preference.objects.get(user=analyst).arabic_digits


# --- dates -------------------------------------------------------------------------------------------------


def test_it_writes_publication_dates_with_the_interface_month_names(analyst, db):
    article = make_article(["نص."], title="خبر مؤرخ")
    Article.objects.filter(pk=article.pk).update(published_on=date(2023, 3, 7))
    prefer(analyst, "ar")
    assert "7 مارس 2023" in text_of(logged_in(analyst).get("/"))
    prefer(analyst, "en")
    assert "7 March 2023" in text_of(logged_in(analyst).get("/"))


# --- the import report -------------------------------------------------------------------------------------


def import_as(user, files):
    client = logged_in(user)
    response = client.post(IMPORT_URL, {"files": files})
    assert response.status_code == 302
    return client, Job.objects.latest("pk")


def test_it_writes_the_import_report_in_the_importers_language_with_titles_isolated(admin):
    prefer(admin, "ar")
    files = [
        SimpleUploadedFile("statement.txt", "بيان «التحالف» الجديد\nقال المتحدث إن التحالف باق.".encode()),
        SimpleUploadedFile("scan.txt", b"%PDF-1.4 binary"),
    ]
    client, job = import_as(admin, files)
    imported = job.rows.get(name="statement.txt")
    assert imported.message == f"استُورد بعنوان «{FSI}بيان «التحالف» الجديد{PDI}» (فقرتان، المصدر: {FSI}مصدر غير معروف{PDI})."
    page = client.get(job.get_absolute_url()).content.decode()
    # The closing guillemet of the title stays outside the title's own run, on the far side from its first word.
    assert "استُورد بعنوان «<bdi>بيان «التحالف» الجديد</bdi>» (فقرتان، المصدر: <bdi>مصدر غير معروف</bdi>)." in page
    assert '<td class="file"><bdi>statement.txt</bdi></td>' in page
    assert '<td class="status">مستورد</td>' in page and '<td class="status">مرفوض</td>' in page
    assert "هذا مستند PDF، وليس ملفًا نصيًا." in page
    assert "الملفات: 2 — استُورد منها 1، ومستورد سابقًا 0، ومرفوض 1." in page
    assert FSI not in page and PDI not in page


def test_it_isolates_an_arabic_title_inside_the_english_report(admin):
    prefer(admin, "en")
    client, job = import_as(admin, [SimpleUploadedFile("a.txt", "«عنوان» المقال\nنص.".encode())])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Imported as “<bdi>«عنوان» المقال</bdi>” (2 paragraphs, source <bdi>مصدر غير معروف</bdi>)." in page
    assert '<td class="status">imported</td>' in page


def test_it_strips_the_isolates_from_the_api_and_escapes_what_it_renders(admin):
    assert strip_isolates(f"a {FSI}ب{PDI} c") == "a ب c"
    assert isolates_to_bdi(f"{FSI}<script>{PDI} \u2066'.pdf'{PDI} {FSI}stray") == (
        '<bdi>&lt;script&gt;</bdi> <bdi dir="ltr">&#x27;.pdf&#x27;</bdi> stray'
    )


# --- before login ------------------------------------------------------------------------------------------


def test_the_upload_limit_page_speaks_the_browsers_language(settings, db):
    settings.HAMISH_UPLOAD_MAX_BYTES = 10
    response = Client().post("/accounts/login/", data=b"x" * 100, content_type="text/plain", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 413
    assert '<html lang="ar" dir="rtl">' in response.content.decode() and "الملفات المرفوعة كبيرة جدًا" in response.content.decode()
    english = Client().post("/accounts/login/", data=b"x" * 100, content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en")
    assert "Upload too large" in english.content.decode()


def test_the_login_limit_message_is_arabic_for_an_arabic_browser(settings, analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.post("/accounts/login/", {"username": "analyst1", "password": "wrong"})
    refused = client.post("/accounts/login/", {"username": "analyst1", "password": "wrong"})
    assert refused.status_code == 429
    assert "محاولات دخول فاشلة كثيرة. حاول مجددًا بعد 15 دقيقةً."  # 11-99: the accusative singular in refused.content.decode()
