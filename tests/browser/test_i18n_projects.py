"""The queue, the curation board and the comparison page in Arabic, in the browser, at laptop and tablet widths:
right to left, Arabic words, the queue worked through with the status bar's buttons, the charts laid out from
the right; screenshots of each (no CSP violation, no script error on the way)."""

import json
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import Preference
from annotations.models import Entity
from annotations.stances import Choice
from corpus.importing import import_files, iter_paths
from corpus.models import Article
from projects.models import Assignment, Membership, Project, Role, Status
from tests.test_compare import DEMO, JOINT
from tests.utils import add_span, add_stance, make_article

from .conftest import SHOTS, login, shot

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = pytest.mark.parametrize("size", [(1366, 768), (820, 1180)], ids=["laptop", "tablet"])


@pytest.fixture(autouse=True)
def arabic(settings, labels, polarities, categories):
    settings.LANGUAGE_CODE = "ar"


def part(page, selector, name):
    """A screenshot of one element (a full-page one shrinks too much to read a chart's labels)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))


def no_horizontal_scroll(page):
    """The page itself never scrolls sideways (wide tables and charts scroll inside their own boxes)."""
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@SIZES
def test_the_annotator_works_through_the_queue_in_arabic(page, live_server, analyst, console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    Preference.objects.create(user=analyst, language="ar")
    project = Project.objects.create(name="دراسة الزيارة", guidelines="علّم الأشخاص أولًا.")
    first = make_article(title="المقال الأول")
    second = make_article(["نص المقال الثاني عن زيارة لويد أوستن إلى بغداد"], title="المقال الثاني")
    project.articles.add(first, second)
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    for position, article in enumerate((first, second), start=1):
        Assignment.objects.create(project=project, article=article, annotator=analyst, position=position)

    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h2").nth(1)).to_have_text("قائمتي")
    expect(page.locator("main .page-head .meta")).to_contain_text("مقالان")
    expect(page.locator("main .page-head .meta")).to_contain_text("دورك: مُعلِّق")
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    expect(page.locator("table.queue tbody tr").first).to_contain_text("جديد")
    # Right to left: the queue's first column (#) is on the right, the status on the left.
    number = page.locator("table.queue thead th").first.bounding_box()
    status = page.locator("table.queue thead th").last.bounding_box()
    assert number["x"] > status["x"]
    no_horizontal_scroll(page)
    shot(page, f"i18n-queue-{size[0]}")

    page.get_by_role("link", name="تابع: المقال التالي").click()
    bar = page.locator("#assignment-status")
    expect(bar).to_contain_text("جديد")
    shot(page, f"i18n-reader-{size[0]}")
    expect(bar.locator("[data-mark-done]")).to_contain_text("علِّمه منجزًا")
    expect(bar.locator("[data-next-article]")).to_contain_text("التالي في قائمتي")
    # The keys, as the annotators use them (at tablet width the bar sits in the folded annotation panel).
    with page.expect_response(lambda r: "/done/" in r.url):
        page.keyboard.press("Shift+D")
    expect(bar).to_contain_text("منجز: تعليقاتك هنا للقراءة فقط.")
    expect(page.locator("#flash")).to_contain_text("عُلِّم منجزًا")
    shot(page, f"i18n-done-{size[0]}")
    page.keyboard.press("Shift+N")
    page.wait_for_url(f"{live_server.url}/articles/{second.pk}/?project={project.pk}")
    expect(page.locator("#assignment-status")).to_contain_text("جديد")
    assert dict(Assignment.objects.values_list("article_id", "status")) == {first.pk: Status.DONE, second.pk: Status.NEW}

    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("main .meta").nth(1)).to_contain_text("أُنجز 1 من 2.")
    expect(page.locator("table.queue tbody tr").first).to_contain_text("منجز")


@SIZES
def test_the_comparison_page_reads_right_to_left_in_arabic(page, live_server, analyst, labels, polarities, console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for entry in json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))["articles"]:
        import_files(iter_paths([DEMO / entry["file"]]), source_name=entry["source"])
    project = Project.objects.create(name="حوار التعاون الأمني")
    project.articles.add(*Article.objects.all())
    Membership.objects.create(project=project, user=analyst)
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    for article in Article.objects.all():
        for paragraph in article.paragraphs.filter(text__contains="سترول"):
            for occurrence in range(paragraph.text.count("سترول")):
                add_span(paragraph, "سترول", "PER", author=analyst, entity=stroul, occurrence=occurrence)
    for day, article in enumerate(Article.objects.order_by("pk"), start=8):
        Article.objects.filter(pk=article.pk).update(published_on=date(2023, 8, day + day % 2))
    paragraph = Article.objects.get(original_filename__contains="/001_").paragraphs.get(text__contains="دانا سترول")
    add_stance(
        paragraph,
        "دانا سترول",
        author=analyst,
        holder=Choice("entity", stroul.pk),
        target=Choice("name", name="الوجود العسكري الأمريكي"),
        polarity=polarities["opposes"],
    )

    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="قارن الوسائل الإعلامية").click()
    expect(page.locator("main h1")).to_contain_text("مقارنة الوسائل الإعلامية:")
    expect(page.locator("#statements-title")).to_have_text("العبارات × الوسائل الإعلامية")
    expect(page.locator("section[aria-labelledby=statements-title] svg title").first).to_have_text("العبارات × الوسائل الإعلامية")
    expect(page.locator("table.stance-matrix td.pol-opposes")).to_contain_text("يعارض 1")
    expect(page.locator("table.grid td.absent").first).to_have_text("غائب")
    expect(page.locator("section[aria-labelledby=attention-title] svg circle")).to_have_count(5)
    # The charts are drawn from the right: the first outlet's column and the timeline's labels on the right.
    chart = page.locator("section[aria-labelledby=statements-title] .chart").bounding_box()
    svg = page.locator("section[aria-labelledby=statements-title] .chart svg").bounding_box()
    assert svg["x"] + svg["width"] >= chart["x"] + chart["width"] - 2 or svg["width"] > chart["width"]
    no_horizontal_scroll(page)
    shot(page, f"i18n-compare-{size[0]}")
    part(page, ".page-head", f"i18n-compare-head-{size[0]}")
    part(page, "section[aria-labelledby=statements-title] .chart", f"i18n-compare-grid-{size[0]}")
    part(page, "section[aria-labelledby=stances-title]", f"i18n-compare-stances-{size[0]}")
    part(page, "section[aria-labelledby=attention-title]", f"i18n-compare-attention-{size[0]}")

    row = page.locator("table.grid tbody tr").filter(has_text=JOINT).first
    link = row.locator("td.verbatim a, td.reworded a").first
    link.click()
    page.wait_for_url(lambda url: "/articles/" in url)


@SIZES
def test_the_curation_board_progress_and_agreement_in_arabic(
    page, live_server, analyst, other_analyst, django_user_model, console, size
):
    from tests.test_curation import agreeing_and_not

    page.set_viewport_size({"width": size[0], "height": size[1]})
    curator = django_user_model.objects.create_user("curator1", password="curator-pass-123")
    project = Project.objects.create(name="دراسة التنسيق")
    article = make_article()
    project.articles.add(article)
    for user, role in ((analyst, Role.ANNOTATOR), (other_analyst, Role.ANNOTATOR), (curator, Role.MANAGER)):
        Membership.objects.create(project=project, user=user, role=role)
    for user in (analyst, other_analyst):
        Assignment.objects.create(project=project, article=article, annotator=user)
    from annotations.models import BoilerplateCategory, Label, Polarity

    entity = Entity.objects.create(name="دانا سترول", label=Label.objects.get(name="PER"))
    agreeing_and_not(
        article,
        analyst,
        other_analyst,
        entity,
        {p.name: p for p in Polarity.objects.all()},
        {c.name: c for c in BoilerplateCategory.objects.all()},
    )
    Assignment.objects.filter(project=project).update(status=Status.DONE)

    login(page, live_server, "curator1", "curator-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/curation/")
    expect(page.locator("table.curation-queue")).to_contain_text("لم تبدأ")
    page.locator("table.curation-queue a").first.click()
    expect(page.locator("#curation-status")).to_contain_text("5 نسخ مفتوحة")
    expect(page.locator(".messages")).to_contain_text("الدمج التلقائي")
    expect(page.locator(".curation-board thead th").last).to_have_text("الطبقة المُراجَعة")
    # Right to left: "Where" is the first column, on the right; the curated layer last, on the left.
    where = page.locator(".curation-board thead th").first.bounding_box()
    layer = page.locator(".curation-board thead th").last.bounding_box()
    assert where["x"] > layer["x"]
    shot(page, f"i18n-curate-{size[0]}")
    part(page, ".curation-board tbody tr:first-child", f"i18n-curate-row-{size[0]}")
    page.get_by_role("button", name="إنهاء المراجعة").click()
    expect(page.locator("#curation-status")).to_contain_text("تمّت المراجعة.")
    expect(page.locator(".messages")).to_contain_text("بقيت 5 نسخ مفتوحة")

    page.goto(f"{live_server.url}/projects/{project.pk}/progress/")
    expect(page.locator("main h1")).to_contain_text("سير العمل")
    expect(page.locator("main table").first).to_contain_text("analyst1")
    expect(page.locator("#done-chart-title")).to_contain_text("آخر 30 يومًا")
    no_horizontal_scroll(page)
    shot(page, f"i18n-progress-{size[0]}")
    page.goto(f"{live_server.url}/projects/{project.pk}/assign/")
    expect(page.locator("main h1")).to_contain_text("إسناد المقالات")
    page.get_by_label("كل مقال إلى k من المُعلِّقين").check()
    page.get_by_role("button", name="إسناد", exact=True).click()
    expect(page.locator("main .errorlist").first).to_be_visible()  # no annotator chosen: said in Arabic
    expect(page.locator("main")).to_contain_text("هذا الحقل مطلوب")
    no_horizontal_scroll(page)
    shot(page, f"i18n-assign-{size[0]}")
    page.goto(f"{live_server.url}/projects/{project.pk}/agreement/")
    expect(page.locator("main h1")).to_contain_text("اتفاق المعلّقين")
    expect(page.locator("main table caption")).to_contain_text("مُعلِّقان")
    # The measures' columns read right to left: Units first, on the right; Krippendorff's α last, on the left.
    heads = page.locator("main table").first.locator("thead th")
    assert heads.first.bounding_box()["x"] > heads.last.bounding_box()["x"]
    expect(heads.nth(2)).to_contain_text("κ لفلايس")
    shot(page, f"i18n-agreement-{size[0]}")
    page.get_by_role("link", name="اعرضها").first.click()
    expect(page.locator("main h1")).to_contain_text("مواضع الاختلاف")
    expect(page.locator("table.disagreements")).to_contain_text("وسم مختلف")
    shot(page, f"i18n-disagreements-{size[0]}")
    part(page, "table.disagreements tbody tr:first-child", f"i18n-disagreement-row-{size[0]}")
    # The passage's place stays "(¶1, 20–32)" left to right inside the Arabic quote.
    expect(page.locator("table.disagreements .quote .muted").first).to_have_attribute("dir", "ltr")
