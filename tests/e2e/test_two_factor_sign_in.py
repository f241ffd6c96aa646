"""Signing in with the second factor in a real browser, the simulated phone in a second page:
OneTouch approved, an SMS token, a denied push then SMS, an expired push then a new one."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, log_in, number_to_match, press_send_sms_token, token_field

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"


def open_phone(page):
    """The simulated phone in a second page, showing this person's phone."""
    phone = page.context.new_page()
    phone.goto("/dev/phone/")
    return phone.get_by_role("region", name=EMAIL)


def reach_the_challenge(page, seeded):
    log_in(page, EMAIL, seeded)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_role("status")).to_contain_text("pending")


def signed_in_to_the_dashboard(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def texted_token(page) -> str:
    press_send_sms_token(page)
    expect(page.locator("#sms-result")).to_contain_text("texted")  # answered in place
    phone = open_phone(page)
    message = phone.get_by_role("listitem").filter(has_text="token is").first
    return re.search(r"token is (\d+)", message.inner_text()).group(1)


def type_and_sign_in(page, token):
    token_field(page).fill(token)
    page.get_by_role("button", name="Sign In", exact=True).click()


def test_onetouch_approved_on_the_phone_signs_in(page, seeded):
    reach_the_challenge(page, seeded)

    phone = open_phone(page)
    expect(phone).to_contain_text("Sign in to Partner Portal")
    expect(phone).to_contain_text("127.0.0.1")
    phone.get_by_role("button", name=number_to_match(page), exact=True).click()

    signed_in_to_the_dashboard(page)


def test_an_sms_token_read_from_the_phone_signs_in(page, seeded):
    reach_the_challenge(page, seeded)

    type_and_sign_in(page, texted_token(page))

    signed_in_to_the_dashboard(page)


def test_a_denied_push_then_an_sms_token_signs_in(page, seeded):
    reach_the_challenge(page, seeded)

    open_phone(page).get_by_role("button", name="Deny").click()
    expect(page.get_by_role("status")).to_contain_text("denied")
    type_and_sign_in(page, texted_token(page))

    signed_in_to_the_dashboard(page)


def test_an_expired_push_then_a_new_push_signs_in(page, seeded, settings):
    settings.ONETOUCH_EXPIRY_SECONDS = 2
    reach_the_challenge(page, seeded)

    expect(page.get_by_role("status")).to_contain_text("expired", timeout=15_000)
    settings.ONETOUCH_EXPIRY_SECONDS = 120  # the new request lasts long enough to approve
    page.get_by_role("button", name="Send a request to your phone").click()
    expect(page.get_by_role("status")).to_contain_text("pending")
    expect(page.get_by_role("button", name="Send a request to your phone")).to_be_hidden()
    open_phone(page).get_by_role("button", name=number_to_match(page), exact=True).click()

    signed_in_to_the_dashboard(page)


def test_a_wrong_token_shows_a_form_error_and_keeps_the_page(page, seeded):
    reach_the_challenge(page, seeded)

    type_and_sign_in(page, "12")

    expect(page.get_by_text("6 or more digits")).to_be_visible()
    expect(page.get_by_label("Token or Security Key")).to_have_value("12")


@pytest.mark.parametrize("width", [1100, 375])
def test_the_challenge_and_phone_pages_fit_desktop_and_phone_widths(page, seeded, width):
    page.set_viewport_size({"width": width, "height": 900})
    reach_the_challenge(page, seeded)
    phone = open_phone(page).page
    phone.set_viewport_size({"width": width, "height": 900})

    ARTIFACTS.mkdir(exist_ok=True)
    for name, shown in (("challenge", page), ("phone", phone)):
        shown.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert shown.evaluate("document.documentElement.scrollWidth") <= width
