"""axe-core (bundled by axe-playwright-python) on the pages people meet most and when things
go wrong: no serious or critical violations. Each page is also saved as a screenshot at
desktop (1280x800) and phone (390x844) size in test-artifacts/screens/ to look at."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.e2e.test_admin_journeys import sign_in_with_onetouch
from twofactor.signin import lockout

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
SCREENS = ARTIFACTS / "screens"


def check(page, name: str) -> None:
    """No serious or critical axe violations; and a screenshot at both sizes."""
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    SCREENS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1100, "height": 800})
    assert bad == [], f"{name}: " + "; ".join(bad)


def test_sign_in_pages_pass_axe(page, seeded, settings):
    page.goto("/login/")
    check(page, "login")

    log_in(page, "tech@acme.example", seeded)
    expect(page.get_by_role("status")).to_contain_text("pending")
    check(page, "challenge")

    page.goto("/login/help/")
    check(page, "help-signing-in")


def test_the_locked_page_passes_axe(page, seeded, settings):
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    for _ in range(3):
        lockout.record_failure(User.objects.get(email="tech@acme.example"))
    log_in(page, "tech@acme.example", seeded)
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is locked for now")
    check(page, "locked")


def test_signed_in_pages_pass_axe(page, browser, live_server, seeded, settings):
    sign_in_with_onetouch(page, browser, live_server, "admin@acme.example", seeded)
    page.goto("/security/")
    check(page, "security")
    page.goto("/manage/employees/")
    check(page, "manage-employees")
    page.goto("/login/help/")
    check(page, "help-signed-in")

    settings.REAUTH_WINDOW_SECONDS = 0  # the forms ask for the password inline
    page.goto("/manage/employees/")
    expect(page.get_by_label("Your password")).to_be_visible()
    check(page, "manage-employees-password")
    tech = User.objects.get(email="tech@acme.example")
    page.goto(f"/manage/employees/{tech.pk}/")
    check(page, "edit-employee")


def test_error_pages_pass_axe(page, seeded, settings):
    page.goto("/no-such-page/")
    check(page, "error-404")

    settings.ROOT_URLCONF = "tests.portal.error_urls"
    page.goto("/test-errors/403/")
    check(page, "error-403")
    page.goto("/test-errors/500/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    check(page, "error-500")
