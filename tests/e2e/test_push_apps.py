"""Push apps on the Security page in a real browser (Twilio Verify emulator): signed in by
an approved push a moment ago, a person sees their apps and removes one with "Remove"."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import ARTIFACTS, log_in
from twofactor.providers.twilio_verify import identity_for

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"


@pytest.fixture
def twilio_portal(seeded, live_server, settings, twilio_emulator, twilio_settings):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.TWOFACTOR_PROVIDER_POLL_SECONDS = 1
    identity = identity_for(User.objects.get(email=EMAIL))
    apps = {
        name: twilio_emulator.enroll_device(identity, friendly_name=name)
        for name in ("Pixel 8", "Old iPhone")
    }
    return twilio_emulator, apps


def approve_the_sign_in(emulator) -> None:
    for _ in range(50):
        pending = [s for s in list(emulator.challenges) if emulator.status_of(s) == "pending"]
        if pending:
            emulator.approve(pending[-1])
            return
        time.sleep(0.1)
    raise AssertionError("no push sent")


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_person_removes_a_phone_app_they_no_longer_have(
    browser, live_server, seeded, twilio_portal, viewport
):
    emulator, apps = twilio_portal
    width, height = viewport
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        log_in(page, EMAIL, seeded)
        approve_the_sign_in(emulator)
        expect(page).not_to_have_url(re.compile(r"/login/"))
        page.get_by_role("link", name="Security", exact=True).click()

        part = page.get_by_role("region", name="Phone apps for push")
        expect(part).to_contain_text("Pixel 8")
        expect(part).to_contain_text("Old iPhone")
        if os.environ.get("SCREENSHOTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            part.screenshot(path=str(ARTIFACTS / f"push-apps-{width}.png"))
        part.get_by_role("row").filter(has_text="Old iPhone").get_by_role(
            "button", name="Remove"
        ).click()

        expect(page.get_by_text("Old iPhone is removed")).to_be_visible()
        expect(part).not_to_contain_text("Old iPhone")
        expect(part).to_contain_text("Pixel 8")
        assert apps["Old iPhone"] not in emulator.factors
        assert apps["Pixel 8"] in emulator.factors
    finally:
        context.close()
