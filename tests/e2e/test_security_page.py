"""The Security page in a real browser: sign out the other sessions; backup codes made after
"Confirm it's you" and shown once with a download."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, press_send_sms_token, token_field
from tests.e2e.test_lost_phones import latest_text

pytestmark = pytest.mark.browser


def test_a_person_signs_out_their_other_sessions(browser, live_server, seeded):
    laptop = browser.new_context(base_url=live_server.url)
    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740},
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1",
    )
    try:
        here, there = laptop.new_page(), phone.new_page()
        log_in(there, "admin@globex.example", seeded)
        log_in(here, "admin@globex.example", seeded)
        here.get_by_role("link", name="Security", exact=True).click()
        sessions = here.get_by_role("region", name="Where you are signed in")
        expect(sessions.get_by_role("row")).to_have_count(3)  # header + two sessions
        expect(sessions).to_contain_text("Safari on iPhone")
        expect(sessions).to_contain_text("This browser")

        here.get_by_role("button", name="Sign out everywhere else").click()
        expect(here.get_by_role("status")).to_contain_text("signed out everywhere else")
        expect(sessions.get_by_role("row")).to_have_count(2)
        expect(sessions).not_to_contain_text("Safari on iPhone")

        there.goto("/security/")
        expect(there.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
        here.goto("/security/")
        expect(here.get_by_role("heading", name="Security", level=1)).to_be_visible()
    finally:
        laptop.close()
        phone.close()


def confirm_by_text_to_make_codes(page, seeded) -> None:
    """Globex's tech (password alone) asks for backup codes: "Confirm it's you" first, by a
    texted token, typed into the field (not yet sent)."""
    log_in(page, "tech@globex.example", seeded)
    page.get_by_role("link", name="Security", exact=True).click()
    page.get_by_role("button", name="Generate backup codes").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    press_send_sms_token(page)
    expect(page.locator("#sms-result")).to_contain_text("texted")  # answered in place
    token = latest_text(page, "tech@globex.example", r"token is (\d+)")
    token_field(page).fill(token)


def test_backup_codes_are_made_after_confirming_a_factor_and_shown_once(page, seeded):
    """Globex signs in with the password alone, so a person with a phone confirms it first
    (the rule for adding a factor: codes made now would outlive two-factor being turned on;
    the refusals are tested in tests/twofactor/methods/backup_codes), then comes back."""
    confirm_by_text_to_make_codes(page, seeded)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()  # back
    page.get_by_role("button", name="Generate backup codes").click()

    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Copied 10 codes.")
    copied = page.evaluate("navigator.clipboard.readText()").split("\n")
    assert copied == codes.all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as .txt").click()
    text = Path(download.value.path()).read_text()
    assert codes.first.inner_text() in text

    page.get_by_role("link", name="Done, back to Security").click()
    expect(page.get_by_text("10 of 10 left")).to_be_visible()
    expect(page.get_by_role("list", name="Backup codes")).to_have_count(0)


def test_a_slow_answer_to_a_typed_token_is_not_undone_by_the_push_poll(page, seeded):
    """The token's answer is slow to arrive (a loaded server); meanwhile the page's push
    poll learns that the confirmation ended. The page must follow the token's answer back
    to the page that asked, not reload the finished challenge (which lands on the
    dashboard)."""
    confirm_by_text_to_make_codes(page, seeded)

    def slow_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        answered = route.fetch(max_redirects=0)  # the server has finished the confirmation
        page.wait_for_timeout(2500)  # the poll asks again meanwhile, and hears it ended
        return route.fulfill(response=answered)

    page.route("**/login/verify/", slow_answer)
    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible(timeout=10_000)
