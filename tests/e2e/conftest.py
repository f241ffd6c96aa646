"""Real-browser harness: Debian's Chromium driven by Playwright against the live server.

Browser tests skip with a visible reason where Chromium is missing, and never skip in CI
(CI=true): there a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return path if Path(path).exists() or shutil.which(path) else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        reason = f"Chromium not found at {os.environ.get('CHROMIUM_PATH', '/usr/bin/chromium')}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs it).")
        pytest.skip(f"{reason}: install Debian's chromium or set CHROMIUM_PATH.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def seeded(transactional_db):
    from manage import demo

    demo.seed(demo.DEFAULT_PASSWORD)
    return demo.DEFAULT_PASSWORD


def log_in(page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def show_other_ways(page) -> None:
    """One press of "Other ways to sign in" on the challenge page (which leads with one way),
    once its script is running; nothing if the other ways are shown already."""
    page.wait_for_load_state()
    button = page.get_by_role("button", name="Other ways to sign in")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")


def token_field(page):
    """"Token or Security Key": where the page leads with it, or one press away."""
    field = page.get_by_label("Token or Security Key")
    page.wait_for_load_state()
    if not field.is_visible():
        show_other_ways(page)
    return field


def press_send_sms_token(page) -> None:
    """"Send SMS token" once the challenge page's script is running, so it answers in place
    (a press before the script runs posts the form the no-JavaScript way)."""
    page.wait_for_load_state()
    button = page.get_by_role("button", name="Send SMS token")
    if not button.is_visible():
        show_other_ways(page)
    button.click()


def number_to_match(page) -> str:
    """The two-digit number the challenge page shows beside the pending push's status."""
    return page.locator("#push-number .number").inner_text().strip()
