"""The Admin pages in a real browser: the people first, the "Sign-in policy" after them
with one Save, and turning two-factor authentication off only after a page that names the
risk (Cancel keeps it on). axe at 1280x800 and 390x844, screenshots in
test-artifacts/screens/."""

import pytest
from playwright.sync_api import expect

from accounts.models import Client, Firm
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import check
from tests.e2e.test_admin_journeys import open_admin_menu, sign_in_with_onetouch

pytestmark = pytest.mark.browser


def test_manage_employees_lists_people_first_then_the_policy_with_one_save(page, seeded):
    log_in(page, "admin@globex.example", seeded)
    open_admin_menu(page, "Manage Employees")

    people = page.get_by_role("heading", name="Employees", exact=True)
    policy = page.get_by_role("heading", name="Sign-in policy", exact=True)
    assert people.bounding_box()["y"] < policy.bounding_box()["y"]
    expect(page.get_by_role("button", name="Save")).to_have_count(1)
    for label in ("Push", "SMS", "Authenticator app", "Security key",
                  "Require a security key for firm admins",
                  "Allow passkey sign-in without a password",
                  "Allow remembering a browser for 30 days"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    check(page, "manage-employees-people-first")

    page.get_by_role("link", name="Sign-in policy").click()
    expect(policy).to_be_in_viewport()
    page.get_by_label("Allow remembering a browser for 30 days").check()
    page.get_by_label("Country for phone numbers").select_option("GB")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Sign-in policy saved:")).to_be_visible()
    globex = Firm.objects.get(name="Globex MSP")
    assert (globex.allow_remembered_browsers, globex.phone_region) == (True, "GB")


def test_a_policy_error_is_summed_up_at_the_top_with_a_link_to_the_field(page, seeded):
    log_in(page, "admin@globex.example", seeded)
    page.goto("/manage/employees/")
    ways = page.get_by_role("group", name="Ways to sign in allowed").get_by_role("checkbox")
    for box in ways.all():
        box.uncheck()
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    summary.get_by_role("link", name="Ways to sign in allowed").click()
    expect(page.get_by_text("Allow at least one way to sign in.")).to_be_visible()  # said once
    expect(page.get_by_label("Push", exact=True)).to_be_in_viewport()
    check(page, "manage-employees-error-summary")


def test_turning_2fa_off_names_the_risk_and_cancel_keeps_it_on(
    page, browser, live_server, seeded
):
    sign_in_with_onetouch(page, browser, live_server, "admin@acme.example", seeded)
    page.goto("/manage/employees/")

    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Turn off two-factor authentication for Acme IT?")
    expect(page.get_by_text("A password alone will sign your employees in.")).to_be_visible()
    check(page, "two-factor-off-confirm")
    page.get_by_role("link", name="Cancel").click()
    assert Firm.objects.get(name="Acme IT").two_factor_required is True

    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    expect(page.get_by_text("Two-factor authentication is now off for Acme IT.")).to_be_visible()
    assert Firm.objects.get(name="Acme IT").two_factor_required is False


def test_a_clients_page_lists_end_users_first_and_asks_before_turning_2fa_off(page, seeded):
    Firm.objects.filter(name="Acme IT").update(two_factor_required=False)
    contoso = Client.objects.get(name="Contoso Dental")
    log_in(page, "admin@acme.example", seeded)
    page.goto(f"/manage/clients/{contoso.pk}/")

    people = page.get_by_role("heading", name="End users", exact=True)
    policy = page.get_by_role("heading", name="Sign-in policy", exact=True)
    assert people.bounding_box()["y"] < policy.bounding_box()["y"]
    check(page, "client-people-first")

    page.get_by_label("Require two-factor authentication for end users").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A password alone will sign these end users in.")).to_be_visible()
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    expect(page.get_by_text("Two-factor authentication is now off for Contoso Dental's "
                            "end users.")).to_be_visible()
    assert Client.objects.get(pk=contoso.pk).two_factor_required is False
