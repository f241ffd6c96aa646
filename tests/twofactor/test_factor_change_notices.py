"""Every change to a person's factors emails them, once: what changed, when and from where
(address and browser), never a code or a full number. An attacker who got in with one backup
code cannot replace the owner's codes, numbers or apps unseen.

Push apps added and removed are covered with the Security page (methods/push/test_security).
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from manage.people import version_of
from tests.signing_in import enter_password, request_token, signed_in_by_text, type_token
from tests.twofactor.recovery.lost_phones import NEW_NUMBER, NEW_NUMBER_TYPED, code_texted_to
from twofactor import registration
from twofactor.recovery import phone_changes

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
WHERE = {"HTTP_USER_AGENT": FIREFOX, "REMOTE_ADDR": "198.51.100.23"}
WHEN = re.compile(r"When: +\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def only_email_to(person: User):
    sent = [m for m in mail.outbox if person.email in m.to]
    assert len(sent) == 1, [m.subject for m in sent]
    return sent[0]


def assert_says_when_and_where(body: str, *, browser: str = "Firefox on Windows") -> None:
    assert WHEN.search(body), body
    assert f"198.51.100.23, {browser}" in body


def assert_no_number(body: str, *numbers: str) -> None:
    for number in numbers:
        if number:
            assert number not in body and number[-7:] not in body


def test_a_new_set_of_backup_codes_is_emailed_without_the_codes(client, demo_world, sms_outbox):
    person = demo_world["tech@acme.example"]
    signed_in_by_text(client, sms_outbox)
    mail.outbox.clear()

    page = client.post("/security/backup-codes/", **WHERE).content.decode()

    codes = re.findall(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}",
                       page)
    assert len(set(codes)) == 10
    email = only_email_to(person)
    assert "backup codes" in email.subject
    assert "new set of 10 backup codes" in email.body and "old" in email.body
    assert_says_when_and_where(email.body)
    for code in codes:
        assert code not in email.body and code.replace("-", "") not in email.body
    assert_no_number(email.body, person.phone)


def test_an_admins_change_of_a_persons_number_is_emailed_with_when_and_where(
    globex, demo_world
):
    person = demo_world["tech@globex.example"]
    old = person.phone
    mail.outbox.clear()
    data = {"full_name": person.full_name, "email": person.email, "phone": NEW_NUMBER_TYPED,
            "role": person.role, "version": version_of(person)}
    globex.post(f"/manage/employees/{person.pk}/", data, **WHERE)

    email = only_email_to(person)
    assert "phone number was changed" in email.subject
    assert "Before:" in email.body and "Now:" in email.body
    assert_says_when_and_where(email.body)
    assert_no_number(email.body, old, NEW_NUMBER)


def test_changing_ones_own_number_is_emailed_once_with_when_and_where(
    client, demo_world, sms_outbox
):
    person = demo_world["tech@acme.example"]
    old = person.phone
    enter_password(client, person.email)
    type_token(client, request_token(client, sms_outbox))
    client.post("/security/phone/", {"action": "number", "phone": NEW_NUMBER_TYPED}, **WHERE)
    mail.outbox.clear()

    client.post("/security/phone/",
                {"action": "code", "code": code_texted_to(sms_outbox, NEW_NUMBER)}, **WHERE)

    assert User.objects.get(pk=person.pk).phone == NEW_NUMBER
    email = only_email_to(person)
    assert "phone number changed" in email.subject
    assert "mobile number changed from" in email.body
    assert_says_when_and_where(email.body)
    assert_no_number(email.body, old, NEW_NUMBER)


def test_a_lost_phone_change_applied_after_the_hold_is_emailed_once_naming_where_it_was_asked(
    demo_world, sms_outbox, rf
):
    person = demo_world["tech@acme.example"]
    old = person.phone
    registration.register_phone(person)
    asked = rf.post("/login/recovery/", **WHERE)
    change = phone_changes.start(person, NEW_NUMBER, request=asked)
    phone_changes.prove(change, code_texted_to(sms_outbox, NEW_NUMBER))
    change.refresh_from_db()
    change.status, change.due_at = "on_hold", timezone.now()
    change.save()
    mail.outbox.clear()

    assert phone_changes.apply(change.pk)

    email = only_email_to(person)
    assert "phone number changed" in email.subject
    assert WHEN.search(email.body)
    assert "From: 198.51.100.23" in email.body and "where the change was asked for" in email.body
    assert_no_number(email.body, old, NEW_NUMBER)


@pytest.mark.parametrize("enrolled_apps", [0, 2])
def test_a_reset_is_emailed_once_and_names_the_removed_apps(
    fake_provider, demo_world, acme_admin, enrolled_apps
):
    person = demo_world["tech@acme.example"]
    registration.register_phone(person)
    apps = [fake_provider.enrol_app(person, f"Phone {n}") for n in range(enrolled_apps)]
    fake_provider.enrol_app(acme_admin, "Admin's phone")
    mail.outbox.clear()

    phone_changes.reset_second_factor(person, acme_admin)

    email = only_email_to(person)
    assert ("2 phone apps for push approvals were removed" in email.body) is bool(enrolled_apps)
    assert fake_provider.deleted_apps == apps
    assert fake_provider.push_factors(person) == []
    assert len(fake_provider.push_factors(acme_admin)) == 1
