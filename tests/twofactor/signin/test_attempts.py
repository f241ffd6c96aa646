"""The pending attempt: a fresh session key at each step, nothing secret in the session,
and an end after 10 minutes."""

from importlib import import_module

from django.conf import settings
from django.test import Client

from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.signing_in import ACME_TECH, current_attempt, enter_password, request_token, type_token
from twofactor.recovery import phone_changes


def SessionStore():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def session_key(client) -> str:
    return client.cookies["sessionid"].value


def test_the_session_key_differs_before_login_after_the_password_and_after_the_factor(
    client, demo_world, sms_outbox
):
    before = SessionStore()
    before["visited"] = True
    before.save()
    client.cookies["sessionid"] = before.session_key

    enter_password(client)
    after_password = session_key(client)
    type_token(client, request_token(client, sms_outbox))
    after_factor = session_key(client)

    assert len({before.session_key, after_password, after_factor}) == 3
    assert not SessionStore().exists(before.session_key)


def test_between_the_steps_the_session_holds_only_the_attempt_id(pending):
    data = dict(pending.session.items())

    assert list(data) == ["twofactor_attempt"]
    assert PASSWORD not in str(data)
    assert "sessionid" in pending.cookies and PASSWORD not in str(pending.cookies)


def test_a_pending_attempt_ends_after_ten_minutes(pending, sms_outbox, time_travel):
    token = request_token(pending, sms_outbox)

    time_travel(601)
    response = type_token(pending, token)

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in pending.session
    assert "twofactor_attempt" not in pending.session
    assert AuditEvent.objects.filter(tag="account:two_factor:attempt_expired").exists()


def test_an_attempt_succeeds_once_even_if_its_session_is_replayed(pending, sms_outbox):
    attempt = current_attempt(pending)
    cookie = pending.cookies["sessionid"].value
    type_token(pending, request_token(pending, sms_outbox))

    replay = pending.__class__()
    replay.cookies["sessionid"] = cookie
    response = replay.post("/login/verify/", {"action": "check"})

    assert response["Location"] == "/login/"
    attempt.refresh_from_db()
    assert attempt.completed_at and attempt.method == "sms"


def test_an_inactive_person_cannot_finish_a_pending_attempt(pending, sms_outbox):
    token = request_token(pending, sms_outbox)
    current_attempt(pending).user.__class__.objects.filter(email="tech@acme.example").update(
        is_active=False
    )

    type_token(pending, token)

    assert "_auth_user_id" not in pending.session


def test_a_second_factor_reset_ends_a_sign_in_left_half_way(pending, sms_outbox, demo_world):
    """Whoever holds the lost phone and the password cannot finish with a token texted
    before the admin's reset."""
    token = request_token(pending, sms_outbox)
    phone_changes.reset_second_factor(demo_world[ACME_TECH], demo_world["admin@acme.example"])

    type_token(pending, token)

    assert "_auth_user_id" not in pending.session


def test_an_admins_phone_change_ends_a_sign_in_left_half_way(pending, sms_outbox, demo_world):
    from tests.manage.test_employees import edit_url, profile
    from tests.signing_in import sign_in

    tech = demo_world[ACME_TECH]
    token = request_token(pending, sms_outbox)
    admin = sign_in(Client(), "admin@acme.example")
    admin.post(edit_url(tech), profile(tech, phone="+12015550142"))
    assert User.objects.get(pk=tech.pk).phone == "+12015550142"

    type_token(pending, token)

    assert "_auth_user_id" not in pending.session
