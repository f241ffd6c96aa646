"""Lost phones in a real browser, the simulated phone in a second page: a new number asked
for, proven, confirmed from the email and applied after the hold; the same request
cancelled from the email; another admin approving one early; a backup code signing in."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts import phones
from accounts.models import User
from tests.e2e.conftest import log_in, press_send_sms_token, show_other_ways, token_field
from twofactor.methods.backup_codes import codes as backup_codes

pytestmark = pytest.mark.browser

TECH = "tech@acme.example"
ADMIN = "admin@acme.example"
NEW_NUMBER = "+12015550199"


def phone_region(page, name: str):
    """One phone of the simulated phone (by owner email or, for a new phone, by number)."""
    phone = page.context.new_page()
    phone.goto("/dev/phone/")
    return phone.get_by_role("region", name=name)


def latest_text(page, name: str, pattern: str) -> str:
    texts = phone_region(page, name).get_by_role("listitem").filter(has_text=re.compile(pattern))
    return re.search(pattern, texts.first.inner_text()).group(1)


def reach_the_challenge(page, email: str, password: str) -> None:
    log_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/login/verify/$"))


def sign_in_by_sms(page, email: str, password: str) -> None:
    reach_the_challenge(page, email, password)
    press_send_sms_token(page)
    expect(page.locator("#sms-result")).to_contain_text("texted")  # answered in place
    token = latest_text(page, email, r"token is (\d+)")
    token_field(page).fill(token)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def emailed_path(kind: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(rf"https?://[^/\s]+(/email/phone-change/\S+/{kind}/\S+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {kind} link emailed")


def ask_for_a_new_number(page, password: str) -> None:
    """From the second-factor page to a request whose email is confirmed (hold started)."""
    reach_the_challenge(page, TECH, password)
    show_other_ways(page)
    page.get_by_role("link", name="I don't have access to my phone").click()
    page.get_by_label("New mobile phone number").fill("+1 201 555 0199")
    page.get_by_role("button", name="Text a code to the new number").click()
    expect(page.get_by_role("status")).to_contain_text("Step 1 of 3")

    code = latest_text(page, NEW_NUMBER, r"(\d{6}) is your code")
    page.get_by_label("Code from the text").fill(code)
    page.get_by_role("button", name="Prove the new number").click()
    expect(page.get_by_role("status")).to_contain_text("Step 2 of 3")

    email = page.context.new_page()  # the email opened in another tab
    email.goto(emailed_path("confirm"))
    email.get_by_role("button", name="Confirm").click()
    expect(email.get_by_role("status")).to_contain_text("moves to")
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Step 3 of 3")


def test_a_new_number_applies_after_the_hold_and_signs_in(page, seeded, settings):
    settings.PHONE_CHANGE_HOLD_SECONDS = 2
    ask_for_a_new_number(page, seeded)
    old_phone_texts = phone_region(page, TECH)
    expect(old_phone_texts).to_contain_text("Cancel:")

    page.wait_for_timeout(2_100)
    call_command("process_phone_changes")
    assert User.objects.get(email=TECH).phone == NEW_NUMBER

    page.context.clear_cookies()
    sign_in_by_sms(page, TECH, seeded)
    page.get_by_role("link", name="Security", exact=True).click()
    # The number on file (recent events name it too, inside longer lines)
    expect(page.get_by_text(phones.mask(NEW_NUMBER), exact=True)).to_be_visible()


def test_the_same_request_cancelled_from_the_email_changes_nothing(page, seeded, settings):
    settings.PHONE_CHANGE_HOLD_SECONDS = 2
    old = User.objects.get(email=TECH).phone
    ask_for_a_new_number(page, seeded)

    email = page.context.new_page()
    email.goto(emailed_path("cancel"))
    email.get_by_role("button", name="Cancel the change").click()
    expect(email.get_by_role("status")).to_contain_text("cancelled")

    page.wait_for_timeout(2_100)
    call_command("process_phone_changes")
    assert User.objects.get(email=TECH).phone == old
    page.context.clear_cookies()
    sign_in_by_sms(page, TECH, seeded)


def test_another_admin_approves_a_change_early(page, seeded, browser, live_server):
    ask_for_a_new_number(page, seeded)

    admin_context = browser.new_context(base_url=live_server.url)
    try:
        admin = admin_context.new_page()
        sign_in_by_sms(admin, ADMIN, seeded)
        admin.get_by_text("Admin", exact=True).click()
        admin.get_by_role("link", name="Manage Employees", exact=True).click()
        requests = admin.get_by_role("region", name="Phone number change requests")
        requests.get_by_role("link", name="Approve early: Terry Acme").click()
        # The password from signing in is recent: one press approves (else it is asked here)
        admin.get_by_role("button", name="Approve now").click()
        done = admin.get_by_role("status").first
        expect(done).to_contain_text("now signs in with the new number")
        expect(requests).to_contain_text("No open requests")
    finally:
        admin_context.close()

    assert User.objects.get(email=TECH).phone == NEW_NUMBER
    page.context.clear_cookies()
    sign_in_by_sms(page, TECH, seeded)


def test_a_backup_code_signs_in_once_and_the_person_is_told(page, seeded):
    tech = User.objects.get(email=TECH)
    code = backup_codes.generate(tech)[0]

    reach_the_challenge(page, TECH, seeded)
    token_field(page).fill(code)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert "9 backup codes left" in mail.outbox[-1].body

    page.context.clear_cookies()
    reach_the_challenge(page, TECH, seeded)
    token_field(page).fill(code)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_text("used already")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/verify/$"))
