"""An authenticator app in a real browser: a tech enrols one from the Security page (the
setup key read off the page, the code computed here as the app would) and signs in with it."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, show_other_ways
from tests.e2e.test_two_factor_sign_in import (
    reach_the_challenge,
    signed_in_to_the_dashboard,
    texted_token,
    type_and_sign_in,
)
from tests.twofactor.methods.totp.helpers import app_code

pytestmark = pytest.mark.browser


def test_a_tech_enrols_an_app_from_the_security_page_and_signs_in_with_it(page, seeded):
    reach_the_challenge(page, seeded)
    type_and_sign_in(page, texted_token(page))
    signed_in_to_the_dashboard(page)

    page.get_by_role("link", name="Security", exact=True).click()
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    # decode() waits for the image: it rejects if the SVG could not load (e.g. under the CSP)
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    setup_key = page.get_by_label("Setup key").inner_text().replace(" ", "")
    key = base64.b32decode(setup_key + "=" * (-len(setup_key) % 8))
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"totp-setup-{width}.png"), full_page=True)
    page.get_by_label("Code from the app").fill(app_code(key))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("status").first).to_contain_text("Your authenticator app is on")
    app_part = page.get_by_role("region", name="Authenticator app")
    expect(app_part.get_by_role("button", name="Remove")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    reach_the_challenge(page, seeded)
    show_other_ways(page)  # the page leads with the push; the app's code is one press away
    expect(page.get_by_text("6-digit code from your authenticator app").first).to_be_visible()
    # The next step's code: the one just used for setup is spent, and one step ahead is
    # within the drift allowed.
    type_and_sign_in(page, app_code(key, steps=1))
    signed_in_to_the_dashboard(page)
