"""Shared helpers for the browser tests: logging in, screenshots, console errors."""

import re
from pathlib import Path

import pytest

SHOTS = Path("/tmp/hamish-shots")
CSP = re.compile("Content Security Policy|CSP-VIOLATION", re.IGNORECASE)


def login(page, live_server, username, password):
    """Log in through the real login form; return once the browser has left the login page."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    # caret="initial": Playwright's default caret hiding leaves style="" on focused inputs, and htmx's
    # settle step later copies that attribute with setAttribute, which the CSP reports as an inline style.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


# Say which element and which directive a CSP violation came from (Chromium's own message does not).
VIOLATION_LOGGER = """
document.addEventListener('securitypolicyviolation', (e) => {
  const target = e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 200) : String(e.target);
  console.error(`CSP-VIOLATION ${e.effectiveDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} `
    + `sample=${JSON.stringify(e.sample)} target=${target}`);
});
"""


class ConsoleLog:
    """Console errors and uncaught page errors seen while a test runs."""

    def __init__(self, page):
        self.errors = []
        self.page_errors = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.add_init_script(VIOLATION_LOGGER)

    def _on_console(self, message):
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            # "Failed to load resource" names no resource: say which.
            self.errors.append(f"{message.text} ({url})" if url and url not in message.text else message.text)

    @property
    def csp_errors(self):
        return [text for text in self.errors if CSP.search(text)]

    def assert_clean(self):
        assert not self.csp_errors, f"Content Security Policy violations: {self.csp_errors}"
        assert not self.page_errors, f"uncaught JavaScript errors: {self.page_errors}"

    def assert_no_errors(self):
        """Stricter: no console error at all (a failed request, a script's console.error), besides the above."""
        self.assert_clean()
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def console(page):
    """Collects console errors; every test using it fails if a CSP violation or JS error occurred."""
    page.set_default_timeout(5_000)
    log = ConsoleLog(page)
    yield log
    log.assert_clean()


@pytest.fixture
def strict_console(page):
    """As `console`, and any console error at all fails the test: for pages that should load without one."""
    page.set_default_timeout(5_000)
    log = ConsoleLog(page)
    yield log
    log.assert_no_errors()
