"""Tokens the portal makes (local provider): from secrets, 6+ digits, HMAC at rest, 10
minutes, once, bound to the attempt and the person, the newest only."""

from unittest import mock

import pytest
from django.test import Client

from manage import demo
from tests.concurrency import needs_postgresql, race
from tests.signing_in import ACME_TECH, current_attempt, enter_password, request_token, type_token
from twofactor.models import SmsToken
from twofactor.providers import local_tokens as tokens


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_token_has_at_least_six_digits_and_comes_from_secrets(pending, sms_outbox):
    randbelow_at = "twofactor.providers.local_tokens.secrets.randbelow"
    with mock.patch(randbelow_at, return_value=42) as randbelow:
        token = request_token(pending, sms_outbox)

    assert token == "000042"
    randbelow.assert_called_once_with(10**6)


def test_only_a_keyed_hmac_of_the_token_is_stored(pending, sms_outbox):
    token = request_token(pending, sms_outbox)

    row = SmsToken.objects.get()
    assert token not in row.digest
    assert row.digest == tokens.digest(current_attempt(pending).pk, token)
    assert len(row.digest) == 64


def test_a_token_works_once(pending, sms_outbox):
    token = request_token(pending, sms_outbox)
    attempt = current_attempt(pending)

    assert tokens.consume(attempt.pk, attempt.user_id, token)
    assert not tokens.consume(attempt.pk, attempt.user_id, token)


def test_a_token_from_another_attempt_of_the_same_person_fails(client, demo_world, sms_outbox):
    enter_password(client)
    old_token = request_token(client, sms_outbox)
    enter_password(client)  # a second sign-in attempt in the same browser

    response = type_token(client, old_token)

    assert response.status_code == 400
    assert not signed_in(client)


def test_a_token_of_another_person_fails(client, demo_world, sms_outbox, settings):
    other = client.__class__()
    enter_password(other, "admin@acme.example")
    admins_token = request_token(other, sms_outbox)
    enter_password(client, ACME_TECH)

    response = type_token(client, admins_token)

    assert response.status_code == 400
    assert not signed_in(client)


def test_an_expired_token_fails(pending, sms_outbox, time_travel):
    token = request_token(pending, sms_outbox)

    time_travel(9 * 60 + 59)
    attempt = current_attempt(pending)
    time_travel(2)

    assert not tokens.consume(attempt.pk, attempt.user_id, token)


def test_sending_a_new_token_invalidates_the_older_one(pending, sms_outbox, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"sms.user": (2, 30), "sms.number": (2, 30)}
    first = request_token(pending, sms_outbox)
    second = request_token(pending, sms_outbox)

    assert SmsToken.objects.filter(superseded=True).count() == 1
    assert type_token(pending, first).status_code == 400
    assert type_token(pending, second).status_code == 302


def test_the_text_message_says_how_long_the_token_lasts(pending, sms_outbox):
    request_token(pending, sms_outbox)

    assert "expires in 10 minutes" in sms_outbox[-1].body


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_checks_of_one_token_accept_it_once():
    """The conditional UPDATE itself, without the per-person lock the sign-in path adds."""
    demo.seed(demo.DEFAULT_PASSWORD)
    client = Client()
    enter_password(client)
    attempt = current_attempt(client)
    token = tokens.issue(attempt)

    results = race(lambda: tokens.consume(attempt.pk, attempt.user_id, token), 20)

    assert results.count(True) == 1
