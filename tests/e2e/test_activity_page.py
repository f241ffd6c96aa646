"""Admin > Activity in a real browser, at desktop and phone size: events in words, the
filters a firm admin uses (kind groups, part of a name, days) and a page that stays readable
on a phone."""

from datetime import timedelta

import pytest
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
    audit.record(PushTag.PUSH_SENT, subject=tech)
    audit.record(PushTag.PUSH_APPROVED, subject=tech)
    audit.record(Tag.FACTOR_ACCEPTED, subject=tech, method="push")
    audit.record(Tag.SIGNED_IN, subject=tech, method="push")
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
    expect(events).to_contain_text("Approved a sign-in on the phone")
    expect(events).to_contain_text("Passed the second step by approving on the phone")
    expect(events).not_to_contain_text("account:two_factor")
    expect(events).not_to_contain_text("Terry Acme")  # another firm's person
    event_cell = page.locator("td.kind").first
    assert event_cell.bounding_box()["width"] > 150  # never a column a few letters wide
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"activity-{width}.png"), full_page=True)

    page.get_by_label("Kind").select_option(label="Any: second factor")
    page.get_by_label("Person").fill("glen")
    page.get_by_label("From").fill((timezone.now() - timedelta(days=7)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("Showing events by or about Glen Globex")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("table")).not_to_contain_text("Had the mobile number changed")
    expect(page.get_by_role("table")).not_to_contain_text("Was deactivated")  # 40 days ago
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", "/manage/activity/export.csv?" + page.url.split("?", 1)[1]
    )

    page.get_by_label("From").fill("2025-03-05")
    page.get_by_label("To").fill("2025-03-01")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("“To” (1 Mar 2025) is before “From” (5 Mar 2025).")).to_be_visible()
    expect(page.get_by_label("To")).to_have_value("2025-03-01")  # nothing typed is lost
    expect(page.get_by_label("Person")).to_have_value("glen")
    page.screenshot(path=str(ARTIFACTS / f"activity-error-{width}.png"), full_page=True)
