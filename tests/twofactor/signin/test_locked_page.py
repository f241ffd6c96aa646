"""A locked person meets one clear page: locked until when, nothing sent, who can unlock;
and the lock email says the same, with the administrators' names."""

import pytest
from django.core import mail
from django.test import Client

from tests.signing_in import enter_password, latest_approval, type_token
from twofactor.models import ApprovalRequest
from twofactor.signin import lockout


@pytest.fixture
def strict_lock(settings):
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3


def lock(user) -> None:
    for _ in range(3):
        lockout.record_failure(user)


def test_a_fresh_sign_in_while_locked_gets_the_locked_page_and_no_push(
    demo_world, sms_outbox, strict_lock
):
    tech = demo_world["tech@acme.example"]
    lock(tech)
    client = Client()

    response = enter_password(client)

    page = response.content.decode()
    assert response.status_code == 429
    assert "Signing in is locked for now" in page
    assert "<time datetime=" in page and "data-local-time" in page
    assert "No request was sent to your phone" in page
    assert "An administrator of your firm" in page
    assert "admin@acme.example" not in page  # no names for someone who only typed a password
    assert 'name="token"' not in page  # not the challenge with its live controls
    assert ApprovalRequest.objects.filter(user=tech).count() == 0
    assert sms_outbox == []
    assert "twofactor_attempt" not in client.session


def test_the_challenge_page_of_a_person_locked_meanwhile_shows_the_locked_page(
    pending, demo_world, strict_lock
):
    lock(demo_world["tech@acme.example"])

    response = pending.get("/login/verify/")

    assert response.status_code == 429
    assert "Signing in is locked for now" in response.content.decode()


def test_a_locked_person_asking_for_a_new_push_is_sent_nothing(pending, demo_world, strict_lock):
    before = ApprovalRequest.objects.count()
    lock(demo_world["tech@acme.example"])

    response = pending.post("/login/verify/push/")

    assert response.status_code == 429
    assert ApprovalRequest.objects.count() == before


def test_the_lock_email_says_until_when_and_names_the_admins(pending, strict_lock):
    mail.outbox.clear()
    for _ in range(3):
        type_token(pending, "000000")

    locked = [m for m in mail.outbox if "locked" in m.subject]
    assert len(locked) == 1
    body = locked[0].body
    assert "locked until" in body and "UTC" in body
    assert "An administrator of your firm can lift the lock sooner" in body
    assert "admin@acme.example" in body
    assert "wait a moment" not in body
    assert latest_approval(pending) is not None
