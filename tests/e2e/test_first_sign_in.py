"""A first sign-in in a real browser, at desktop and phone size, with axe-core: nophone (2FA
required, no way set up) is walked from the password through an emailed code to setting up
an authenticator app, and proves it once at the challenge; without a window the page names
the admins to ask. Screenshots go to test-artifacts/screens/."""

import base64
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import check
from tests.e2e.test_two_factor_sign_in import signed_in_to_the_dashboard, type_and_sign_in
from tests.twofactor.methods.totp.helpers import app_code
from twofactor.enrolment import windows

pytestmark = pytest.mark.browser
NOPHONE = "nophone@acme.example"


def emailed_code() -> str:
    sent = [m for m in mail.outbox if m.to == [NOPHONE] and "set up signing in" in m.subject]
    return re.search(r"^\s+(\d{8})$", sent[-1].body, re.M).group(1)


def test_without_a_window_nophone_is_told_whom_to_ask(page, seeded):
    log_in(page, NOPHONE, seeded)

    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a set-up window")
    expect(page.get_by_role("alert")).to_contain_text("No set-up window is open for you.")
    expect(page.get_by_role("link", name="admin@acme.example")).to_be_visible()
    check(page, "first-sign-in-closed")


def test_nophone_sets_up_an_app_after_the_password_and_signs_in_with_it(
    page, seeded, time_travel
):
    windows.open_window(
        User.objects.get(email=NOPHONE), by=User.objects.get(email="admin@acme.example")
    )
    log_in(page, NOPHONE, seeded)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a way to sign in")
    check(page, "first-sign-in")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("status").first).to_contain_text("We emailed a code")
    page.get_by_label("Code from the email").fill(emailed_code())
    check(page, "first-sign-in-code")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a way to sign in")
    ways = page.get_by_role("link").filter(has_text=re.compile("app|key"))
    expect(ways.first).to_have_text("The Partner Portal app on your phone")
    expect(page.get_by_role("button", name="Admin")).to_have_count(0)
    check(page, "first-sign-in-ways")

    page.get_by_role("link", name="The Partner Portal app on your phone").click()
    expect(page.get_by_text("Link for your phone").first).to_be_visible()
    check(page, "first-sign-in-phone-app")
    page.go_back()

    page.get_by_role("link", name="An authenticator app").click()
    setup_key = page.get_by_label("Setup key").inner_text().replace(" ", "")
    key = base64.b32decode(setup_key + "=" * (-len(setup_key) % 8))
    page.get_by_label("Code from the app").fill(app_code(key))
    page.get_by_role("button", name="Turn on").click()

    # Proven once at the challenge, with the next step's code (the set-up's is spent).
    expect(page).to_have_url(re.compile("/login/verify/$"))
    check(page, "first-sign-in-challenge")
    time_travel(30)
    type_and_sign_in(page, app_code(key))
    signed_in_to_the_dashboard(page)
    assert any("set up their first way" in m.subject for m in mail.outbox
               if m.to == ["admin@acme.example"])
