"""Passwords in a real browser against a real server: "Change password" from the Security
page, and the reset link of "Forgot your password?" arriving after the response."""

import os
import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-brand-new-passphrase-42"
SHOTS = os.environ.get("SCREENSHOTS_DIR")  # set it to keep screenshots of the pages


def shoot(page, name: str) -> None:
    if SHOTS:
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_a_person_changes_their_password_from_the_security_page(page, seeded):
    log_in(page, "tech@globex.example", seeded)
    page.get_by_role("link", name="Security", exact=True).click()
    page.get_by_role("link", name="Change password").click()

    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your old password was entered incorrectly")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_value("")
    shoot(page, "change-password-error")

    page.get_by_label("Current password").fill(seeded)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    expect(page).to_have_url(re.compile(r"/security/$"))
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    shoot(page, "security-after-change")
    assert [m.to for m in mail.outbox] == [["tech@globex.example"]]


def test_the_reset_link_arrives_after_the_page_answered(page, seeded):
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("tech@globex.example")
    page.get_by_role("button").click()

    expect(page.get_by_role("heading")).to_be_visible()
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:  # it is sent after the answer
        time.sleep(0.05)
    link = re.search(r"https?://[^/\s]+(/email/password-reset/\S+)", mail.outbox[-1].body)
    page.goto(link.group(1))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
