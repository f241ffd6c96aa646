"""Admin > Activity in a real browser, at desktop and phone size: a sign-in as one row that
opens into its steps (by keyboard too), events in words, the filters a firm admin uses (kind
groups, part of a name, days), a page that stays readable on a phone and passes axe."""

import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent, User
from tests.e2e.conftest import ARTIFACTS, log_in
from twofactor.methods.push.tags import PushTag

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def some_events() -> None:
    tech = User.objects.get(email="tech@globex.example")
    admin = User.objects.get(email="admin@globex.example")
    sign_in = uuid.uuid4()  # one sign-in: one row of five steps
    audit.record(Tag.PASSWORD_ACCEPTED, subject=tech, attempt_id=sign_in)
    audit.record(PushTag.PUSH_SENT, subject=tech, attempt_id=sign_in,
                 approval=str(uuid.uuid4()))
    audit.record(PushTag.PUSH_APPROVED, subject=tech, attempt_id=sign_in)
    audit.record(Tag.FACTOR_ACCEPTED, subject=tech, method="push", attempt_id=sign_in)
    audit.record(Tag.SIGNED_IN, subject=tech, method="push", attempt_id=sign_in)
    audit.record(Tag.FIRM_METHODS_CHANGED, actor=admin, allowed=["security_key", "push", "totp"],
                 removed=["sms"])
    audit.record(Tag.PHONE_CHANGED, actor=admin, subject=tech, old="", new="+1 ••••••••04")
    old = audit.record(Tag.PERSON_DEACTIVATED, actor=admin, subject=tech)
    old.created_at = timezone.now() - timedelta(days=40)
    old.save()
    other_firm = User.objects.get(email="tech@acme.example")
    audit.record(PushTag.PUSH_APPROVED, subject=other_firm)


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_reads_and_filters_the_activity_in_words(page, seeded, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    AuditEvent.objects.all().delete()
    some_events()
    log_in(page, "admin@globex.example", seeded)
    page.goto("/manage/activity/")

    events = page.get_by_role("table")
    rows = events.locator("tbody tr")
    # Glen's sign-in, the policy change, the number, the deactivation; and my own sign-in.
    expect(rows).to_have_count(5)
    sign_in = rows.filter(has_text="Signed in by approving on the phone")
    expect(sign_in).to_contain_text("Way: Push")
    steps = sign_in.get_by_text("Passed the second step by approving on the phone")
    expect(steps).to_be_hidden()  # folded until asked for
    sign_in.get_by_text("5 steps").focus()
    page.keyboard.press("Enter")
    expect(steps).to_be_visible()
    expect(sign_in).to_contain_text("Approved a sign-in on the phone")
    expect(events).to_contain_text("Allowed: Security key, Push, Authenticator app.")
    expect(events).to_contain_text("Removed: SMS.")
    expect(events).not_to_contain_text("account:two_factor")
    expect(events).not_to_contain_text("approval")  # no raw ids
    expect(events).not_to_contain_text("Terry Acme")  # another firm's person
    event_cell = page.locator("td.kind").first
    assert event_cell.bounding_box()["width"] > 150  # never a column a few letters wide
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    serious = [v["id"] for v in Axe().run(page).response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"activity-{width}.png"), full_page=True)

    page.get_by_label("Kind").select_option(label="Any: second factor")
    page.get_by_label("Person").fill("glen")
    page.get_by_label("From").fill((timezone.now() - timedelta(days=7)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("Showing events by or about Glen Globex")).to_be_visible()
    expect(rows).to_have_count(1)  # the sign-in, whose steps are second-factor events
    expect(rows).to_contain_text("Signed in by approving on the phone")
    expect(page.get_by_role("table")).not_to_contain_text("Had the mobile number changed")
    expect(page.get_by_role("table")).not_to_contain_text("Was deactivated")  # 40 days ago
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", "/manage/activity/export.csv?" + page.url.split("?", 1)[1]
    )

    page.get_by_label("From").fill("2025-03-05")
    page.get_by_label("To").fill("2025-03-01")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("“To” (1 Mar 2025) is before “From” (5 Mar 2025).")).to_be_visible()
    expect(page.get_by_text("No events match")).to_have_count(0)  # the error says why
    expect(page.get_by_label("To")).to_have_value("2025-03-01")  # nothing typed is lost
    expect(page.get_by_label("Person")).to_have_value("glen")
    page.screenshot(path=str(ARTIFACTS / f"activity-error-{width}.png"), full_page=True)
