"""Push at its best, in a real browser with the simulated phone beside it: number matching
(the right number signs in, a wrong one denies), "This wasn't me" end to end, and
"Don't ask again on this browser for 30 days" skipping the second step next time."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import AuditEvent, Firm
from tests.e2e.conftest import ARTIFACTS, log_in, number_to_match, press_send_sms_token, token_field

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"


def phone_of(page):
    phone = page.context.new_page()
    phone.goto("/dev/phone/")
    return phone.get_by_role("region", name=EMAIL)


def at_the_challenge(page, password):
    log_in(page, EMAIL, password)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_role("status")).to_contain_text("pending")


def signed_in(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")


def texted_token(page) -> str:
    press_send_sms_token(page)
    expect(page.locator("#sms-result")).to_contain_text("We texted a token")
    phone = page.context.new_page()
    phone.goto("/dev/phone/")
    text = phone.get_by_role("region", name=EMAIL).get_by_role("listitem").filter(
        has_text="token is").first.inner_text()
    phone.close()
    return re.search(r"token is (\d+)", text).group(1)


def test_picking_the_number_shown_on_the_challenge_page_signs_in(page, seeded):
    at_the_challenge(page, seeded)
    number = number_to_match(page)
    assert re.fullmatch(r"[1-9][0-9]", number)

    phone = phone_of(page)
    numbers = phone.locator(".match-numbers button").all_inner_texts()
    assert len(set(numbers)) == 3 and number in numbers
    expect(phone.get_by_role("button", name="Deny")).to_be_visible()
    expect(phone.get_by_role("button", name="This wasn't me")).to_be_visible()
    phone.get_by_role("button", name=number, exact=True).click()

    signed_in(page)


def test_a_wrong_pick_denies_the_request(page, seeded):
    at_the_challenge(page, seeded)
    number = number_to_match(page)
    phone = phone_of(page)
    wrong = next(n for n in phone.locator(".match-numbers button").all_inner_texts()
                 if n != number)

    phone.get_by_role("button", name=wrong, exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("denied")
    expect(page.locator("#push-number")).to_be_hidden()
    assert AuditEvent.objects.filter(data__reason="wrong_number").count() == 1


def test_this_wasnt_me_end_to_end(page, seeded):
    at_the_challenge(page, seeded)
    mail.outbox.clear()

    phone_of(page).get_by_role("button", name="This wasn't me").click()

    # The request reads denied, and the attempt is over: nothing more works on that page.
    expect(page.get_by_role("status")).to_contain_text("denied")
    page.reload()
    expect(page).to_have_url(re.compile(r"/login/$"))
    assert sorted(to for m in mail.outbox for to in m.to) == [
        "admin@acme.example", EMAIL]
    assert AuditEvent.objects.filter(tag="account:two_factor:suspicious_sign_in_reported",
                                     data__ip_address="127.0.0.1").exists()

    # The next sign-in: no push (paused), SMS works, then a new password before anything.
    log_in(page, EMAIL, seeded)
    expect(page.get_by_text("Push requests to your phone are paused until")).to_be_visible()
    token_field(page).fill(texted_token(page))
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.goto("/security/")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("brand-new-pass-2024!")
    page.get_by_label("New password confirmation").fill("brand-new-pass-2024!")
    page.get_by_role("button", name="Set new password").click()
    signed_in(page)


def test_a_remembered_browser_skips_the_second_step_next_time(page, seeded):
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    at_the_challenge(page, seeded)
    page.get_by_label("Don't ask again on this browser for 30 days").check()
    number = number_to_match(page)
    phone_of(page).get_by_role("button", name=number, exact=True).click()
    signed_in(page)
    page.get_by_role("button", name="Sign out", exact=True).click()

    log_in(page, EMAIL, seeded)

    signed_in(page)  # no second step this time
    page.goto("/security/")
    section = page.get_by_role("region", name="Remembered browsers")
    expect(section).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "security-remembered.png"), full_page=True)
    section.get_by_role("button", name="Forget", exact=True).click()
    expect(page.get_by_text("No browsers are remembered")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    log_in(page, EMAIL, seeded)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_the_challenge_and_phone_with_number_matching_fit(page, seeded, size):
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    at_the_challenge(page, seeded)
    phone = phone_of(page).page
    phone.set_viewport_size({"width": size[0], "height": size[1]})
    ARTIFACTS.mkdir(exist_ok=True)
    for name, shown in (("challenge-number", page), ("phone-number", phone)):
        shown.screenshot(path=str(ARTIFACTS / f"{name}-{size[0]}.png"), full_page=True)
        assert shown.evaluate("document.documentElement.scrollWidth") <= size[0]
