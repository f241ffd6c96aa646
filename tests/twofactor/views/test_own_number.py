"""A signed-in person (a firm admin too) changes their own number from the Security page:
a fresh password and factor, a code to the new number, then at once; both numbers and the
email address are told, other sessions end and this one stays."""

import re

from django.core import mail
from django.test import Client

from accounts.audit import Tag
from accounts.models import AuditEvent, User
from tests.signing_in import enter_password, request_token, sign_in, type_token
from tests.twofactor.recovery.lost_phones import NEW_NUMBER, NEW_NUMBER_TYPED, code_texted_to
from twofactor.methods.backup_codes import codes as backup_codes

URL = "/security/phone/"
ADMIN = "admin@acme.example"


def signed_in_by_sms(client, outbox, email=ADMIN):
    enter_password(client, email)
    assert type_token(client, request_token(client, outbox))["Location"] == "/"
    return client


def test_an_admin_changes_their_own_number_with_a_code_to_the_new_number(
    client, demo_world, sms_outbox
):
    admin = demo_world[ADMIN]
    old = admin.phone
    signed_in_by_sms(client, sms_outbox)
    elsewhere = sign_in(Client(), ADMIN)

    assert client.post(URL, {"action": "number", "phone": NEW_NUMBER_TYPED})["Location"] == URL
    assert "We texted a code to" in client.get(URL).content.decode()
    assert User.objects.get(pk=admin.pk).phone == old  # not before the code
    done = client.post(URL, {"action": "code", "code": code_texted_to(sms_outbox, NEW_NUMBER)})

    assert done["Location"] == "/security/"
    assert User.objects.get(pk=admin.pk).phone == NEW_NUMBER
    told = {text.to for text in sms_outbox[-2:]}
    assert told == {old, NEW_NUMBER}
    assert any("your phone number changed" in m.subject for m in mail.outbox if m.to == [ADMIN])
    assert AuditEvent.objects.filter(tag=str(Tag.PHONE_CHANGE_COMPLETED), subject=admin).exists()
    assert client.get("/security/").status_code == 200  # this session stays
    assert elsewhere.get("/security/")["Location"].startswith("/login/")  # others end


def test_a_wrong_code_changes_nothing(client, demo_world, sms_outbox):
    signed_in_by_sms(client, sms_outbox)
    client.post(URL, {"action": "number", "phone": NEW_NUMBER_TYPED})
    right = code_texted_to(sms_outbox, NEW_NUMBER)
    wrong = "000000" if right != "000000" else "111111"

    response = client.post(URL, {"action": "code", "code": wrong})

    assert response.status_code == 400 and "not right" in response.content.decode()
    assert User.objects.get(email=ADMIN).phone == demo_world[ADMIN].phone


def test_a_session_signed_in_by_a_backup_code_must_confirm_it_is_them_first(
    client, demo_world, sms_outbox
):
    code = backup_codes.generate(demo_world[ADMIN])[0]
    enter_password(client, ADMIN)
    type_token(client, code)

    response = client.post(URL, {"action": "number", "phone": NEW_NUMBER_TYPED})

    assert response["Location"] == "/login/verify/"
    assert not [text for text in sms_outbox if text.to == NEW_NUMBER]


def test_a_bad_number_is_explained_and_kept(client, demo_world, sms_outbox):
    signed_in_by_sms(client, sms_outbox)

    response = client.post(URL, {"action": "number", "phone": "12"})

    body = response.content.decode()
    assert response.status_code == 400 and 'value="12"' in body
    assert re.search(r"role=\"alert\"|errorlist|error", body)
