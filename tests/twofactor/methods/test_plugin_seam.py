"""The seam: a sign-in method that lives only in the tests (tests/email_codes, registered in
tests/settings.py) signs a person in end to end, shows on the Security page and among the
firm's allowed ways, and goes with a reset, without any edit to the portal's own modules."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent, Firm
from tests.email_codes.models import EmailCodeDevice
from tests.signing_in import enter_password, sign_in, verified_by
from twofactor import methods
from twofactor.models import FactorLock
from twofactor.recovery import phone_changes

TECH = "tech@acme.example"
PERSON = "nophone@acme.example"  # no phone: push and SMS cannot reach them


def emailed_code() -> str:
    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def turned_on(demo_world):
    """The tech turned email codes on from their Security page (a fresh factor first)."""
    browser = sign_in(Client(), TECH)
    session = browser.session
    verified_by(session, "sms")
    session.save()
    assert "Turn on codes by email" in browser.get("/security/").content.decode()
    assert browser.post("/security/email-codes/").status_code == 302
    assert "Sign-in codes by email are on." in browser.get("/security/").content.decode()
    return demo_world[TECH]


@pytest.fixture
def only_email(demo_world):
    """Someone with no phone, whose one way is email codes."""
    person = demo_world[PERSON]
    EmailCodeDevice.objects.create(user=person, name="Email")
    return person


def test_it_is_registered_from_settings_alone():
    assert [m.name for m in methods.registry()][-2:] == ["email_code", "backup_code"]


def test_its_default_way_emails_a_code_at_the_password_step_and_the_code_signs_in(
    only_email, client
):
    mail.outbox.clear()
    response = enter_password(client, PERSON)

    assert response["Location"] == "/login/verify/"
    page = client.get("/login/verify/").content.decode()
    assert "Email me a code" in page and "The code we emailed you." in page
    signed_in = client.post("/login/verify/", {"token": emailed_code()})

    assert signed_in["Location"] == "/"
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("email_codes.emailcodedevice/")
    event = AuditEvent.objects.filter(tag=Tag.SIGNED_IN, subject=only_email).latest("id")
    assert audit.describe(event.tag, event.data).endswith("with an emailed code")
    assert "Sign-in codes by email are on." in client.get("/security/").content.decode()


def test_email_me_a_code_on_the_challenge_page_then_typing_it_signs_in(turned_on, client):
    enter_password(client, TECH)  # the push goes out first: it is the stronger way
    mail.outbox.clear()

    assert client.post("/login/verify/email-code/")["Location"] == "/login/verify/"
    signed_in = client.post("/login/verify/", {"token": emailed_code()})

    assert signed_in["Location"] == "/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_counts_toward_the_lock_and_a_code_works_once(only_email, client):
    enter_password(client, PERSON)
    code = emailed_code()
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8

    response = client.post("/login/verify/", {"token": wrong})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert FactorLock.objects.get(user=only_email).failure_count == 1
    assert client.post("/login/verify/", {"token": code})["Location"] == "/"
    again = Client()
    enter_password(again, PERSON)
    assert again.post("/login/verify/", {"token": code}).status_code == 400


def test_it_is_among_the_firms_allowed_ways_and_switching_it_off_refuses_it(
    only_email, acme
):
    page = acme.get("/manage/employees/").content.decode()
    assert '<label for="id_methods_4">Email code</label>' in page
    Firm.objects.filter(name="Acme IT").update(allowed_methods=["push", "sms"])
    mail.outbox.clear()

    person = Client()
    assert enter_password(person, PERSON)["Location"] == "/login/set-up/"  # set one up
    response = person.get("/login/set-up/")

    assert response.status_code == 403  # no way left that the firm allows, nor a window
    assert not mail.outbox
    assert EmailCodeDevice.objects.filter(user=only_email).exists()


def test_a_reset_removes_it(turned_on, acme_admin):
    phone_changes.reset_second_factor(turned_on, acme_admin)

    assert not EmailCodeDevice.objects.filter(user=turned_on).exists()
    reset = AuditEvent.objects.get(tag=Tag.FACTOR_RESET, subject=turned_on)
    assert reset.data["email_codes_removed"] == 1
