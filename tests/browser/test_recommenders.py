"""Models' predictions in a real browser: shown dashed among the suggestions with "model X · 0.87", g and y
accept one (the span records the model), the panel's filter hides those under the chosen score."""

import pytest
from playwright.sync_api import expect

from projects.models import Membership, Project, Role
from recommenders.importing import import_predictions
from recommenders.models import AcceptedPrediction
from tests.test_recommenders import AUSTIN, STROUL, doccano_file
from tests.utils import make_article

from .conftest import SHOTS, login, shot
from .test_annotating import open_article
from .test_suggestions import decide_with, key_parts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def defaults(labels):
    """The default labels (transactional tests flush the migration's rows)."""


def test_accept_a_models_suggestion_with_g_and_y_and_filter_by_score(page, live_server, analyst, labels, console):
    article = make_article()
    project = Project.objects.create(name="دراسة")
    project.articles.add(article)
    project.labels.set([labels["PER"], labels["LOC"]])
    Membership.objects.create(project=project, user=analyst, role=Role.MANAGER)
    import_predictions(doccano_file(score=0.87), project=project, format="doccano", model_name="camelbert", user=analyst)
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    expect(page.locator("#suggestion-count")).to_have_text("2")
    austin = page.locator(".seg.suggestion", has_text=AUSTIN)
    expect(austin).to_have_attribute("title", "suggested PER: model camelbert · 0.87")
    expect(page.locator("select[name=model_name]")).to_contain_text("camelbert")
    shot(page, "recommenders-reader")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".suggestions-panel").screenshot(path=str(SHOTS / "recommenders-panel.png"))

    page.keyboard.press("g")
    current = page.locator(".seg.current-suggestion").first
    paragraph_id = key_parts(current.get_attribute("data-suggestions").split()[0])[0]
    decide_with(page, "y", paragraph_id)
    accepted = AcceptedPrediction.objects.get()
    assert accepted.model_name == "camelbert" and accepted.span.author == analyst
    assert accepted.span.text in (AUSTIN, STROUL)

    # From score 0.9: the 0.87 one (if still there) goes; the 1.0 one (Stroul, no score in the file) stays.
    page.fill("input[name=min_score]", "0.9")
    page.click(".prediction-filter button[type=submit]")
    expect(page.locator(".prediction-filter input[name=min_score]")).to_have_value("0.90")
    expect(page.locator(".seg.suggestion", has_text=AUSTIN)).to_have_count(0)
