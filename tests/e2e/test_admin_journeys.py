"""Firm admins in a real browser: the seed article's "Enabling Two-Factor Authentication"
and "Two-Factor Authentication for end users" steps, and an invited employee's first visit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Client, Firm, User
from tests.e2e.conftest import log_in, number_to_match

pytestmark = pytest.mark.browser


def confirm_password_if_asked(page, password: str) -> None:
    """Sensitive pages ask for the password again (at most every 10 minutes)."""
    if "/reauthenticate/" in page.url:
        expect(page.get_by_role("heading", name="Confirm your password")).to_be_visible()
        page.get_by_label("Your password").fill(password)
        page.get_by_role("button", name="Confirm").click()


def approve_on_the_simulated_phone(browser, live_server, email: str, number: str) -> None:
    """Answer the OneTouch alert: tap the number shown on the sign-in page."""
    phone = browser.new_context(base_url=live_server.url).new_page()
    phone.goto("/dev/phone/")
    phone.get_by_role("region", name=email).get_by_role("button", name=number, exact=True).click()
    phone.context.close()


def sign_in_with_onetouch(page, browser, live_server, email: str, password: str) -> None:
    log_in(page, email, password)
    expect(page.get_by_role("status")).to_contain_text("pending")
    approve_on_the_simulated_phone(browser, live_server, email, number_to_match(page))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Two-factor authentication")


def open_admin_menu(page, item: str) -> None:
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_text("Admin", exact=True).click()
    menu.get_by_role("link", name=item).click()


def test_an_admin_turns_on_2fa_for_globex_adds_a_number_and_the_employee_signs_in_with_onetouch(
    page, browser, live_server, seeded
):
    User.objects.filter(email="tech@globex.example").update(phone="")
    log_in(page, "admin@globex.example", seeded)

    # 1. Admin > Manage Employees
    open_admin_menu(page, "Manage Employees")
    expect(page.get_by_role("heading", name="Manage Employees", level=1)).to_be_visible()
    # 2. Select Yes for the option to enable two-factor authentication
    settings = page.get_by_role(
        "group", name="Enable two-factor authentication for your partner account"
    )
    settings.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save").click()
    # Glen has no number yet: the page names him and asks before turning it on
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("1 person has no mobile phone number on file")
    expect(warning).to_contain_text("Glen Globex")
    assert Firm.objects.get(name="Globex MSP").two_factor_required is False

    # Setting up: edit the employee's profile to include their mobile phone number
    row = page.get_by_role("row").filter(has_text="tech@globex.example")
    expect(row).to_contain_text("No phone")
    row.get_by_role("link", name="Edit").click()
    confirm_password_if_asked(page, seeded)
    page.get_by_label("Mobile phone number").fill("(201) 555-0142")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Glen Globex was saved.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="tech@globex.example")
    expect(row).to_contain_text("+1 ••••••••42")
    expect(row).to_contain_text("Ready, never used")
    assert User.objects.get(email="tech@globex.example").phone == "+12015550142"
    assert "+1 ••••••••42" in mail.outbox[-1].body

    # Everyone has a number now: Yes + Save turns it on at once
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Two-factor authentication is now on for Globex MSP.")).to_be_visible()
    assert Firm.objects.get(name="Globex MSP").two_factor_required is True

    # Authenticating: the employee logs in and swipes the OneTouch alert on the new number
    tech = browser.new_context(base_url=live_server.url).new_page()
    sign_in_with_onetouch(tech, browser, live_server, "tech@globex.example", seeded)
    expect(tech.get_by_role("heading", level=1)).to_have_text("Globex MSP")
    tech.context.close()


def test_an_admin_turns_on_end_user_2fa_for_a_client_and_edits_an_end_users_number(page, seeded):
    globex = Firm.objects.get(name="Globex MSP")
    initech = Client.objects.create(firm=globex, name="Initech")
    User.objects.create_user(
        "peter@initech.example",
        seeded,
        full_name="Peter Gibbons",
        role=User.Role.END_USER,
        firm=globex,
        client=initech,
    )
    log_in(page, "admin@globex.example", seeded)

    open_admin_menu(page, "Manage Clients")
    page.get_by_role("link", name="Initech").click()
    expect(page.get_by_role("heading", name="Initech", level=1)).to_be_visible()

    page.get_by_label("Require two-factor authentication for end users").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Peter Gibbons")

    page.get_by_role("row").filter(has_text="Peter Gibbons").get_by_role(
        "link", name="Edit"
    ).click()
    confirm_password_if_asked(page, seeded)
    page.get_by_label("Mobile phone number").fill("+44 7911 123 456")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Peter Gibbons was saved.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Peter Gibbons")).to_contain_text(
        "+44 ••••••••56"
    )

    page.get_by_label("Require two-factor authentication for end users").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Two-factor authentication is now on for Initech's end users.")
    ).to_be_visible()
    expect(page.get_by_label("Require two-factor authentication for end users")).to_be_checked()
    assert Client.objects.get(pk=initech.pk).two_factor_required is True


def test_a_bad_number_in_the_browser_gets_a_clear_message_and_keeps_the_form(page, seeded):
    log_in(page, "admin@globex.example", seeded)
    open_admin_menu(page, "Manage Employees")
    page.get_by_role("row").filter(has_text="tech@globex.example").get_by_role(
        "link", name="Edit"
    ).click()
    confirm_password_if_asked(page, seeded)

    page.get_by_label("Full name").fill("Glen Q. Globex")
    page.get_by_label("Mobile phone number").fill("555 01")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("That number is too short.")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Glen Q. Globex")
    expect(page.get_by_label("Mobile phone number")).to_have_value("555 01")


def test_an_invited_employee_sets_a_password_and_signs_in_with_the_second_factor(
    page, browser, live_server, seeded
):
    Firm.objects.filter(name="Globex MSP").update(two_factor_required=True)
    sign_in_with_onetouch(page, browser, live_server, "admin@globex.example", seeded)
    open_admin_menu(page, "Manage Employees")
    page.get_by_role("link", name="Add employee").click()
    confirm_password_if_asked(page, seeded)
    page.get_by_label("Full name").fill("Ivy Invited")
    page.get_by_label("Email").fill("ivy@globex.example")
    page.get_by_label("Mobile phone number").fill("+1 201 555 0171")
    page.get_by_role("button", name="Add and send invitation").click()
    expect(page.get_by_text("Ivy Invited was added and invited by email")).to_be_visible()

    link = re.search(r"/email/invitation/\S+", mail.outbox[-1].body).group(0)
    invitee = browser.new_context(base_url=live_server.url).new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Choose your password")).to_be_visible()
    assert "/set-password/" in invitee.url  # the token left the address bar
    invitee.get_by_label("New password", exact=True).fill("ivy-chooses-a-long-one")
    invitee.get_by_label("New password confirmation").fill("ivy-chooses-a-long-one")
    invitee.get_by_role("button", name="Set password").click()

    # Setting the password signed no one in: log in, then the second factor
    expect(invitee.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(invitee.get_by_text("Your password is set.")).to_be_visible()
    invitee.goto("/dashboard/")
    expect(invitee.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="This link no longer works")).to_be_visible()

    sign_in_with_onetouch(
        invitee, browser, live_server, "ivy@globex.example", "ivy-chooses-a-long-one"
    )
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Globex MSP")
    invitee.context.close()
