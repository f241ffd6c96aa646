"""A person whose firm has two-factor authentication off signs in and out in a browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_globex_tech_signs_in_sees_the_dashboard_and_logs_out(page, seeded):
    log_in(page, "tech@globex.example", seeded)

    expect(page).to_have_url(page.url.split("/dashboard/")[0] + "/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex MSP")
    expect(page.get_by_text("Admin", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()


def test_wrong_password_shows_the_generic_error_in_the_browser(page, seeded):
    log_in(page, "admin@globex.example", "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Email")).to_have_value("admin@globex.example")
