"""Manage Employees' readiness column in a real browser, at desktop and phone size: the
state a firm admin can act on, in a colour that means it, each person's methods, and
emails that never break mid-word."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Firm, User
from tests.e2e.conftest import ARTIFACTS, log_in
from twofactor.models import FactorLock, PhoneDevice

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
OK_GREEN = "rgb(29, 107, 53)"


def people_in_every_state() -> None:
    firm = Firm.objects.get(name="Globex MSP")
    glen = User.objects.get(email="tech@globex.example")
    User.objects.filter(pk=glen.pk).update(last_second_factor_at=timezone.now())
    PhoneDevice.objects.update_or_create(
        user=glen, defaults={"name": "Mobile phone", "number": glen.phone, "provider": "local",
                             "registered_at": timezone.now()},
    )
    for email, name, phone, password in [
        ("ivy.invited@globex.example", "Ivy Invited", "+12015550121", None),
        ("nora.nophone@globex.example", "Nora Nophone", "", "a-long-password-1"),
        ("una.unregistered@globex.example", "Una Unregistered", "+12015550122",
         "a-long-password-1"),
        ("lou.locked@globex.example", "Lou Locked", "+12015550123", "a-long-password-1"),
        ("dee.deactivated@globex.example", "Dee Deactivated", "+12015550124",
         "a-long-password-1"),
        ("rey.ready@globex.example", "Rey Ready", "+12015550125", "a-long-password-1"),
    ]:
        person = User.objects.create_user(email, password, full_name=name, firm=firm,
                                          phone=phone)
        if phone and not email.startswith("una"):
            PhoneDevice.objects.create(user=person, name="Mobile phone", number=phone,
                                       provider="local", registered_at=timezone.now())
    FactorLock.objects.create(user=User.objects.get(email="lou.locked@globex.example"),
                              failure_count=10,
                              locked_until=timezone.now() + timedelta(hours=1))
    User.objects.filter(email="dee.deactivated@globex.example").update(
        is_active=False, last_second_factor_at=timezone.now() - timedelta(days=5)
    )


def readiness_of(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name)).locator(
        "td.readiness"
    )


@pytest.mark.parametrize("size", SIZES)
def test_an_admin_sees_who_is_ready_and_who_needs_something(page, seeded, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    people_in_every_state()
    log_in(page, "admin@globex.example", seeded)
    page.goto("/manage/employees/")

    expected = {
        "Ivy Invited": "Invited",
        "Nora Nophone": "No phone",
        "Una Unregistered": "Not registered",
        "Lou Locked": "Locked until",
        "Dee Deactivated": "Deactivated",
        "Rey Ready": "Ready, never used",
        "Glen Globex": "Last verified",
    }
    for name, words in expected.items():
        expect(readiness_of(page, name).locator(".badge").first).to_contain_text(words)
    for name in ["Ivy Invited", "Nora Nophone", "Una Unregistered", "Lou Locked",
                 "Dee Deactivated"]:
        for badge in readiness_of(page, name).locator(".badge").all():
            assert badge.evaluate("b => getComputedStyle(b).color") != OK_GREEN, name
    for name in ["Rey Ready", "Glen Globex"]:
        badge = readiness_of(page, name).locator(".badge").first
        assert badge.evaluate("b => getComputedStyle(b).color") == OK_GREEN
    expect(readiness_of(page, "Dee Deactivated")).to_contain_text("Last verified")
    expect(readiness_of(page, "Rey Ready").locator(".chip")).to_have_text(["Push", "SMS"])
    expect(readiness_of(page, "Una Unregistered").locator(".chip")).to_have_text(["SMS"])

    # An email is one line unless it cannot fit the width at all.
    email = page.get_by_role("cell", name="una.unregistered@globex.example")
    line = email.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    text_height = email.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().height; }"
    )
    assert text_height < line * 1.5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"people-{width}.png"), full_page=True)

    page.get_by_label("Show").select_option(label="Invited")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("rowheader")).to_have_text(["Ivy Invited"])
