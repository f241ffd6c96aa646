"""The pages people meet when something goes wrong, in a real browser (issue 12): the lock-out
page, the password asked on the form itself, lost-phone step 3 and the admin's approve-early
page, branded error pages and an expired sign-in form, turning 2FA on, Help and Sign out, the
firm's country for numbers, and removing one factor."""

import re

import pytest
from playwright.sync_api import expect

from accounts import phones
from accounts.models import Firm, User
from tests.e2e.conftest import log_in
from tests.e2e.test_admin_journeys import open_admin_menu, sign_in_with_onetouch
from twofactor import registration
from twofactor.models import PhoneDevice
from twofactor.signin import lockout

pytestmark = pytest.mark.browser


def lock(email: str, settings) -> None:
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    for _ in range(3):
        lockout.record_failure(User.objects.get(email=email))


def test_a_locked_person_sees_one_clear_page_in_their_own_time_zone(
    browser, live_server, seeded, settings
):
    lock("tech@acme.example", settings)
    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York")
    page = context.new_page()

    log_in(page, "tech@acme.example", seeded)

    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is locked for now")
    until = page.locator("time[datetime]")
    expect(until).not_to_contain_text("UTC")  # the page's script wrote the local time
    expect(until).to_have_text(re.compile(r"E[SD]T|GMT-[45]"))
    expect(page.get_by_text("No request was sent to your phone")).to_be_visible()
    expect(page.get_by_text("An administrator of your firm can lift the lock")).to_be_visible()
    expect(page.get_by_label("Token or Security Key")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_count(0)
    context.close()


def test_turning_2fa_off_asks_for_the_password_on_the_form_then_names_the_risk(
    page, browser, live_server, seeded, settings
):
    sign_in_with_onetouch(page, browser, live_server, "admin@acme.example", seeded)
    settings.REAUTH_WINDOW_SECONDS = 0  # the password from sign-in is no longer recent
    page.goto("/manage/employees/")

    page.get_by_role("radio", name="No").check()
    page.get_by_label("Your password").fill(seeded)
    page.get_by_role("button", name="Save").click()
    settings.REAUTH_WINDOW_SECONDS = 600  # the password typed on the form is recent
    page.get_by_role("button", name="Turn off two-factor authentication").click()

    expect(page.get_by_text("Two-factor authentication is now off for Acme IT.")).to_be_visible()
    assert Firm.objects.get(name="Acme IT").two_factor_required is False


def test_an_admin_edits_a_number_with_the_password_typed_on_the_edit_form(page, seeded, settings):
    log_in(page, "admin@globex.example", seeded)
    settings.REAUTH_WINDOW_SECONDS = 0
    tech = User.objects.get(email="tech@globex.example")
    page.goto(f"/manage/employees/{tech.pk}/")

    expect(page).to_have_url(re.compile(rf"/manage/employees/{tech.pk}/$"))
    page.get_by_label("Mobile phone number").fill("+1 201 555 0177")
    page.get_by_label("Your password").fill(seeded)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Glen Globex was saved.")).to_be_visible()
    assert User.objects.get(pk=tech.pk).phone == "+12015550177"


def test_lost_phone_step_3_and_the_admins_approve_early_page(
    page, browser, live_server, seeded, sms_outbox, settings
):
    from tests.manage.test_phone_changes import held_request
    from tests.twofactor.recovery.lost_phones import NEW_NUMBER

    tech = User.objects.get(email="tech@acme.example")
    registration.register_phone(tech)
    change = held_request(tech, sms_outbox)

    person = browser.new_context(base_url=live_server.url).new_page()
    log_in(person, "tech@acme.example", seeded)
    person.goto("/login/recovery/")
    expect(person.get_by_role("status")).to_contain_text("Step 3 of 3")
    expect(person.get_by_text("You have no backup codes left")).to_be_visible()
    expect(person.get_by_text("sign in with your old number or a backup code")).to_have_count(0)
    person.context.close()

    sign_in_with_onetouch(page, browser, live_server, "admin@acme.example", seeded)
    settings.REAUTH_WINDOW_SECONDS = 0
    page.goto(f"/manage/phone-changes/{change.pk}/approve/?next=/manage/employees/")
    expect(page.locator("dd.mono").nth(1)).to_have_text(phones.display(NEW_NUMBER))
    page.get_by_label("Your password").fill(seeded)
    page.get_by_role("button", name="Approve now").click()
    expect(page.get_by_text("Approved.")).to_be_visible()


def test_error_pages_are_branded_and_a_second_login_tab_is_sent_back_saying_why(page, seeded):
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()

    stale = page.context.new_page()
    stale.goto("/login/")
    log_in(page, "admin@globex.example", seeded)  # signs in in the other tab
    stale.get_by_label("Email").fill("admin@globex.example")
    stale.get_by_label("Password").fill(seeded)
    stale.get_by_role("button", name="Sign in", exact=True).click()

    expect(stale.get_by_text("Your sign-in form had expired")).to_be_visible()


def test_turning_2fa_on_warns_first_and_the_message_reaches_the_challenge(page, seeded):
    log_in(page, "admin@globex.example", seeded)
    open_admin_menu(page, "Manage Employees")
    expect(page.get_by_text("Turning it on applies to you too")).to_be_visible()

    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/login/verify/$"))
    expect(page.get_by_text("Two-factor authentication is now on for Globex MSP.")).to_be_visible()
    expect(page.get_by_text("It applies to you too")).to_be_visible()


def test_help_from_the_header_log_out_says_so_and_numbers_read_in_the_firms_country(
    page, seeded
):
    Firm.objects.filter(name="Globex MSP").update(phone_region="GB")
    log_in(page, "admin@globex.example", seeded)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="For firm administrators")).to_be_visible()

    tech = User.objects.get(email="tech@globex.example")
    page.goto(f"/manage/employees/{tech.pk}/")
    expect(page.get_by_text("Numbers without a country code are read as GB")).to_be_visible()
    page.get_by_label("Mobile phone number").fill("07911 123456")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Glen Globex was saved.")).to_be_visible()
    assert User.objects.get(pk=tech.pk).phone == "+447911123456"

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_an_admin_removes_one_factor_from_the_edit_page(page, seeded):
    tech = User.objects.get(email="tech@globex.example")
    device = registration.register_phone(tech)
    log_in(page, "admin@globex.example", seeded)
    page.goto(f"/manage/employees/{tech.pk}/")

    factors = page.get_by_role("region", name="Sign-in factors")
    factors.get_by_role("link", name=re.compile("^Remove")).click()
    page.get_by_role("button", name="Remove this factor").click()

    removed = re.compile(r"Removed from Glen Globex: .* They were told\.")
    expect(page.get_by_text(removed)).to_be_visible()
    assert not PhoneDevice.objects.filter(pk=device.pk).exists()
