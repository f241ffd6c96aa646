"""A firm admin's Security overview in a real browser, at desktop (1280x800) and phone
(390x844) size: reached from the Admin menu, no serious axe violations at either size, the
chart beside its table, and "Remind them" emailing the person. Screenshots go to
test-artifacts/screens/ to look at."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.audit import Tag
from accounts.models import AuditEvent, User
from tests.e2e.test_accessibility import SCREENS, SIZES
from tests.e2e.test_admin_journeys import open_admin_menu, sign_in_with_onetouch
from twofactor.methods.push.tags import PushTag

pytestmark = pytest.mark.browser


def a_month_of_sign_ins() -> None:
    tech = User.objects.get(email="tech@acme.example")
    at = timezone.now() - timedelta(days=3)
    rows = [(Tag.SIGNED_IN, {"method": "push"}, 14), (PushTag.PUSH_DENIED, {}, 2),
            (PushTag.PUSH_EXPIRED, {}, 3), (Tag.SIGNED_IN, {"method": "sms"}, 6),
            (Tag.TOKEN_REJECTED, {"method": "sms", "reason": "wrong"}, 4),
            (Tag.NO_PHONE_ON_FILE, {}, 1)]
    AuditEvent.objects.bulk_create(
        AuditEvent(tag=str(tag), firm=tech.firm, subject=tech, data=data, created_at=at)
        for tag, data, times in rows for _ in range(times)
    )


def serious_violations(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_overview_at_both_sizes_passes_axe_and_remind_them_sends_the_email(
    page, browser, live_server, seeded
):
    a_month_of_sign_ins()
    sign_in_with_onetouch(page, browser, live_server, "admin@acme.example", seeded)

    open_admin_menu(page, "Security overview")
    expect(page.get_by_role("heading", name="Security overview", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Sign-ins by way and result")
    expect(table.get_by_role("row", name="Push")).to_contain_text("15")  # 14 and this one
    SCREENS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        assert serious_violations(page) == [], size
        page.screenshot(path=str(SCREENS / f"security-overview-{size}.png"), full_page=True)
    # The chart sits beside its table on a desktop, above it on a phone.
    chart, table_box = page.locator("svg.bar-chart"), table.bounding_box()
    assert chart.bounding_box()["y"] + chart.bounding_box()["height"] <= table_box["y"]
    page.set_viewport_size({"width": 1280, "height": 800})
    assert chart.bounding_box()["x"] + chart.bounding_box()["width"] <= table.bounding_box()["x"]

    noel = page.get_by_role("row", name="Noel Acme")
    expect(noel).to_contain_text("Nothing")
    noel.get_by_role("button", name="Remind them").click()

    expect(page.get_by_role("status")).to_have_text(re.compile(
        r"^Sent Noel Acme a reminder at nophone@acme\.example, and opened a set-up window "
    ))
    assert [message.to for message in mail.outbox] == [["nophone@acme.example"]]
    assert "/security/" in mail.outbox[0].body
    page.get_by_role("row", name="Noel Acme").get_by_role("button", name="Remind them").click()
    expect(page.get_by_role("alert")).to_contain_text("You can remind them again in 24 hours.")
    assert serious_violations(page) == []
    assert len(mail.outbox) == 1
