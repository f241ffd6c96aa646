"""The challenge page leads with one way, in a real browser beside the simulated phone: what
is happening now ("Approve the request on your phone" with the number), the rest one press
away behind "Other ways to sign in" (with and without JavaScript), focus on the heading,
each outcome said in its own words with a new push offered at once, and "This wasn't me"
ending the page within a second. Each state of the page passes axe at 1280x800 and 390x844
(screenshots in test-artifacts/screens/)."""

import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Firm, User
from tests.e2e.conftest import log_in, number_to_match, show_other_ways
from tests.e2e.test_accessibility import check
from twofactor.methods.security_key.models import SecurityKey
from twofactor.signin import lockout

pytestmark = pytest.mark.browser

EMAIL = "tech@acme.example"


def phone_of(page):
    phone = page.context.new_page()
    phone.goto("/dev/phone/")
    return phone.get_by_role("region", name=EMAIL)


def waiting_for_the_phone(page, password):
    log_in(page, EMAIL, password)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("pending")


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)])
def test_the_page_leads_with_the_push_and_its_number_the_rest_one_press_away(
    page, seeded, size
):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    waiting_for_the_phone(page, seeded)

    assert re.fullmatch(r"[1-9][0-9]", number_to_match(page))
    expect(page.locator("#push-number")).to_be_in_viewport()  # the number, without scrolling
    expect(page.get_by_text("We sent a sign-in request to")).to_be_visible()
    # Focus is on the heading, not a field further down (a phone keeps the status in view).
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert page.evaluate("window.scrollY") == 0
    for hidden in (page.get_by_label("Token or Security Key"),
                   page.get_by_role("button", name="Send SMS token"),
                   page.get_by_role("link", name="I don't have access to my phone")):
        expect(hidden).to_be_hidden()
    assert page.locator("[aria-live], [role=status], [role=alert]").count() == 2  # status, SMS

    page.get_by_role("button", name="Other ways to sign in").click()

    expect(page.get_by_role("button", name="Other ways to sign in")).to_have_attribute(
        "aria-expanded", "true")
    expect(page.get_by_label("Token or Security Key")).to_be_visible()
    expect(page.get_by_role("button", name="Send SMS token")).to_be_visible()
    expect(page.get_by_role("link", name="I don't have access to my phone")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("pending")  # no reload: still waiting
    # The hint names only the codes this person has: texted tokens (no app, no backup codes).
    hint = page.locator("#id_token_helptext").inner_text()
    assert "text message" in hint and "backup" not in hint and "authenticator" not in hint


def test_other_ways_work_without_javascript(browser, live_server, seeded):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, EMAIL, seeded)
    expect(page.get_by_label("Token or Security Key")).to_be_hidden()

    page.get_by_role("button", name="Other ways to sign in").click()

    expect(page).to_have_url(re.compile(r"/login/verify/\?others=1$"))
    expect(page.get_by_label("Token or Security Key")).to_be_visible()
    page.get_by_role("button", name="Send SMS token").click()
    # The token was texted: the page now leads with the field, focused.
    expect(page).to_have_url(re.compile(r"\?way=sms$"))
    expect(page.get_by_role("heading", name="Type the token we text you")).to_be_visible()
    expect(page.get_by_label("Token or Security Key")).to_be_focused()
    context.close()


def test_a_deny_says_so_and_a_new_push_is_offered_at_once(page, seeded):
    waiting_for_the_phone(page, seeded)

    phone_of(page).get_by_role("button", name="Deny").click()

    expect(page.get_by_role("status")).to_have_text(
        "You denied the request on your phone (request denied).")
    expect(page.locator("#push-number")).to_be_hidden()
    expect(page.get_by_text("We sent a sign-in request")).to_be_hidden()
    check(page, "challenge-denied")
    page.get_by_role("button", name="Send a request to your phone").click()
    expect(page.get_by_role("status")).to_contain_text("pending")
    phone_of(page).get_by_role("button", name=number_to_match(page), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme IT")


def test_a_different_number_says_so(page, seeded):
    waiting_for_the_phone(page, seeded)
    number = number_to_match(page)
    phone = phone_of(page)
    wrong = next(n for n in phone.locator(".match-numbers button").all_inner_texts()
                 if n != number)

    phone.get_by_role("button", name=wrong, exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("You tapped a different number")
    expect(page.get_by_role("status")).to_contain_text("denied")
    expect(page.get_by_role("button", name="Send a request to your phone")).to_be_visible()
    check(page, "challenge-wrong-number")


def test_an_expired_request_says_so(page, seeded, settings):
    settings.ONETOUCH_EXPIRY_SECONDS = 2
    log_in(page, EMAIL, seeded)

    expect(page.get_by_role("status")).to_contain_text("The request expired", timeout=15_000)
    expect(page.get_by_role("button", name="Send a request to your phone")).to_be_visible()
    check(page, "challenge-expired")


def test_this_wasnt_me_ends_the_page_within_a_second(page, seeded):
    waiting_for_the_phone(page, seeded)
    phone = phone_of(page)

    phone.get_by_role("button", name="This wasn't me").click()
    started = time.monotonic()

    expect(page.get_by_role("status")).to_contain_text("This sign-in was stopped", timeout=1_000)
    assert time.monotonic() - started < 1.0
    expect(page.get_by_role("status")).to_contain_text("denied")
    for gone in ("Send a request to your phone", "Other ways to sign in"):
        expect(page.get_by_role("button", name=gone)).to_be_hidden()
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    check(page, "challenge-stopped")


def test_paused_pushes_are_not_offered_and_the_page_says_why(page, seeded):
    User.objects.filter(email=EMAIL).update(
        push_paused_until=timezone.now() + timezone.timedelta(minutes=30))
    log_in(page, EMAIL, seeded)

    expect(page.get_by_text("Push requests to your phone are paused until")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)
    expect(page.get_by_text("We sent")).to_have_count(0)
    expect(page.get_by_role("button", name="Send a request to your phone")).to_have_count(0)
    # The page leads with the next way: a texted token, its field focused.
    expect(page.get_by_role("button", name="Send SMS token")).to_be_visible()
    expect(page.get_by_label("Token or Security Key")).to_be_focused()
    check(page, "challenge-paused")


def test_a_key_only_policy_leads_with_the_key_and_offers_nothing_it_refuses(page, seeded):
    admin = User.objects.get(email="admin@acme.example")
    Firm.objects.filter(pk=admin.firm_id).update(security_key_required_for_admins=True)
    SecurityKey.objects.create(user=admin, name="Desk key", credential_id=b"desk-key",
                               public_key=b"not-used-here")
    log_in(page, "admin@acme.example", seeded)

    expect(page.get_by_role("button", name="Use a security key")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    show_other_ways(page)
    expect(page.get_by_role("button", name="Send SMS token")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_count(0)  # no push was sent, none is offered
    expect(page.get_by_text("We sent")).to_have_count(0)
    check(page, "challenge-key-only")


def test_the_waiting_and_locked_pages_pass_axe(page, seeded, settings):
    waiting_for_the_phone(page, seeded)
    check(page, "challenge-waiting")
    show_other_ways(page)
    check(page, "challenge-other-ways")

    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    for _ in range(3):
        lockout.record_failure(User.objects.get(email=EMAIL))
    log_in(page, EMAIL, seeded)
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is locked for now")
    check(page, "challenge-locked")
