"""Phones with the app on the Security page, and every way they are removed: by the person,
an admin's reset or removal of that one factor, a lost phone, deactivation."""

from django.core import mail
from django.test import Client

from accounts.models import AuditEvent, User
from manage import people
from tests.signing_in import enter_password
from tests.twofactor.methods.portal_app.conftest import paired_phone
from twofactor import methods
from twofactor.methods.push.portal_app.models import AppPhone
from twofactor.recovery import phone_changes

REMOVED = "account:two_factor:push_app_removed"


def test_the_person_removes_a_phone_from_security(desktop, phone):
    mail.outbox.clear()
    row = AppPhone.objects.get()
    page = desktop.get(f"/security/phone-app/{row.pk}/remove/")
    assert "Work phone" in page.content.decode()
    response = desktop.post(f"/security/phone-app/{row.pk}/remove/")
    assert response["Location"] == "/security/"
    assert not AppPhone.objects.exists()
    assert AuditEvent.objects.filter(tag=REMOVED).exists()
    assert any("phone was removed" in message.subject for message in mail.outbox)
    assert phone.listing().status_code == 403


def test_nobody_removes_another_persons_phone(desktop, phone, demo_world, sms_outbox):
    from tests.signing_in import signed_in_by_text

    other = signed_in_by_text(Client(), sms_outbox, "admin@acme.example")
    row = AppPhone.objects.get()
    response = other.post(f"/security/phone-app/{row.pk}/remove/")
    assert response["Location"] == "/security/"
    assert AppPhone.objects.filter(pk=row.pk).exists()


def test_security_says_when_notifications_stopped(desktop, phone):
    AppPhone.objects.update(push=AppPhone.Push.GONE)
    page = desktop.get("/security/").content.decode()
    assert "requests still show when you open the app" in page


def test_an_admins_reset_removes_every_phone_with_the_app(desktop, demo_world):
    paired_phone(desktop, "iPhone")
    paired_phone(desktop, "iPad")
    tech = demo_world["tech@acme.example"]
    admin = demo_world["admin@acme.example"]
    phone_changes.reset_second_factor(tech, admin)
    assert not AppPhone.objects.exists()
    assert AuditEvent.objects.filter(tag=REMOVED).count() == 2
    reset = AuditEvent.objects.get(tag="account:two_factor:reset")
    assert reset.data["app_phones_removed"] == 2


def test_an_admin_removes_one_phone_as_a_factor(desktop, demo_world):
    paired_phone(desktop, "iPhone")
    kept = paired_phone(desktop, "iPad")
    tech = demo_world["tech@acme.example"]
    factors = [f for f in methods.get("push").removable(tech) if "iPhone" in f.label]
    assert methods.remove_factor(tech, "push", factors[0].id) == factors[0]
    assert list(AppPhone.objects.values_list("name", flat=True)) == ["iPad"]
    assert kept.listing().status_code == 200


def test_deactivation_removes_the_phones(desktop, phone, demo_world):
    tech = demo_world["tech@acme.example"]
    people.set_active(tech.pk, False, actor=demo_world["admin@acme.example"])
    assert not AppPhone.objects.exists()
    assert phone.listing().status_code == 403


def test_a_completed_lost_phone_change_removes_the_phones(desktop, phone, demo_world):
    tech = demo_world["tech@acme.example"]
    methods.phone_lost(tech)
    assert not AppPhone.objects.exists()
    assert AuditEvent.objects.get(tag=REMOVED).data["why"] == "phone lost"


def test_people_with_the_app_count_as_set_up_for_push(desktop, phone, demo_world):
    tech = demo_world["tech@acme.example"]
    User.objects.filter(pk=tech.pk).update(phone="")
    tech.refresh_from_db()
    push = methods.get("push")
    assert push.usable(tech)
    assert tech.pk in push.set_up_among([tech.pk])
    browser = Client()
    assert enter_password(browser)["Location"] == "/login/verify/"
