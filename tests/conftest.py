import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the main thread; Django's ORM
# would otherwise refuse to run next to it in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (make test installs it where the machine allows)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("admin", password="admin-pass-123")


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst1", password="analyst-pass-123")


@pytest.fixture
def other_analyst(django_user_model):
    return django_user_model.objects.create_user("analyst2", password="analyst-pass-456")


@pytest.fixture
def article(db):
    from tests.utils import make_article

    return make_article()


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def staff_client(client, admin):
    client.force_login(admin)
    return client


IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    # Background jobs run inside enqueue() in tests of logic; tests/test_jobs.py drives the real db_worker.
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def labels(db):
    """The default labels. Transactional tests flush the data migration's rows, so recreate them."""
    from annotations.models import Label

    defaults = [
        ("PER", "شخص", "#1f77b4", "p"),
        ("ORG", "منظمة", "#2ca02c", "o"),
        ("LOC", "مكان", "#d62728", "l"),
        ("MISC", "متفرقات", "#9467bd", "m"),
    ]
    for position, (name, display_name, colour, shortcut) in enumerate(defaults):
        Label.objects.get_or_create(
            name=name, defaults={"display_name": display_name, "colour": colour, "shortcut": shortcut, "position": position}
        )
    return {label.name: label for label in Label.objects.all()}


def _migration_defaults():
    from importlib import import_module

    return import_module("annotations.migrations.0004_default_polarities_categories")


@pytest.fixture
def polarities(db):
    """The default polarities (recreated: transactional tests flush the data migration's rows)."""
    from annotations.models import Polarity

    for name, display_name, colour, position in _migration_defaults().DEFAULT_POLARITIES:
        Polarity.objects.get_or_create(name=name, defaults={"display_name": display_name, "colour": colour, "position": position})
    return {polarity.name: polarity for polarity in Polarity.objects.all()}


@pytest.fixture
def categories(db):
    """The default boilerplate categories (recreated, as for polarities)."""
    from annotations.models import BoilerplateCategory

    for position, (name, display_name, cues) in enumerate(_migration_defaults().DEFAULT_CATEGORIES, start=1):
        BoilerplateCategory.objects.get_or_create(
            name=name, defaults={"display_name": display_name, "cue_phrases": cues, "position": position}
        )
    return {category.name: category for category in BoilerplateCategory.objects.all()}


@pytest.fixture(autouse=True)
def english_interface(settings):
    """The suite asserts English wording unless a test asks for Arabic (settings.LANGUAGE_CODE = "ar",
    or a user's preference): the shipped default is Arabic."""
    settings.LANGUAGE_CODE = "en"
