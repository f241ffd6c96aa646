"""The one check path for typed tokens: shape first, then the lock, then the provider, then
a single success per attempt."""

import threading
from unittest import mock

import pytest
from django.core import mail
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from accounts.models import AuditEvent
from manage import demo
from tests.concurrency import needs_postgresql, race
from tests.signing_in import (
    current_attempt,
    enter_password,
    latest_approval,
    request_token,
    send_sms,
    type_token,
)
from twofactor.conf import conf
from twofactor.methods.push import approvals
from twofactor.models import SignInAttempt
from twofactor.providers.base import ApprovalStatus
from twofactor.signin import verification

HOSTILE = {
    "path-traversal": "../sms",
    "slash-and-hash": "123456/ID#",
    "arabic-indic-digits": "١٢٣٤٥٦",
    "fullwidth-digits": "１２３４５６",
    "superscript-digits": "¹²³⁴⁵⁶",
    "too-short": "12345",
    "too-long": "12345678901",
    "letters": "12a456",
    "null-byte": "123456\x00",
    "negative": "-123456",
    "empty": "",
    "megabyte": "1" * 1_000_000,
}


@pytest.fixture
def strict_lock(settings):
    """No back-off, a lock at the third wrong token: the lock itself is under test."""
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3


def wrong(token: str) -> str:
    return "000000" if token != "000000" else "111111"


def type_wrong_tokens(client, times: int, right: str = "") -> None:
    for _ in range(times):
        type_token(client, wrong(right))


def assert_locked_out(client, response) -> None:
    assert response.status_code == 429
    assert "locked until" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_token_input_is_a_form_error_and_never_reaches_the_provider(
    fake_provider, pending, raw
):
    response = type_token(pending, raw)

    assert response.status_code == 400
    assert "6 or more digits" in response.content.decode()
    assert '<label for="id_token">Token or Security Key</label>' in response.content.decode()
    assert fake_provider.asked_count("check_token") == 0
    assert "_auth_user_id" not in pending.session


@pytest.mark.parametrize(
    "data",
    [{"token": ["123456", "654321"]}, {"token[]": "123456"}, {"token[0]": "123456"}, {}],
    ids=["repeated-field", "php-array", "indexed-array", "missing"],
)
def test_arrays_and_missing_tokens_are_form_errors(fake_provider, pending, data):
    response = pending.post("/login/verify/", data)

    assert response.status_code == 400
    assert fake_provider.asked_count("check_token") == 0


def test_a_json_body_is_a_form_error(pending):
    response = pending.post(
        "/login/verify/", '{"token": ["123456"]}', content_type="application/json"
    )

    assert response.status_code == 400


def test_a_body_beyond_the_upload_limit_is_refused_with_413_not_500(pending):
    response = pending.post("/login/verify/", {"token": "1" * 3_000_000})

    assert response.status_code == 413
    assert b"too large" in response.content


def test_hostile_inputs_do_not_count_as_guesses(pending, sms_outbox, strict_lock):
    for raw in HOSTILE.values():
        type_token(pending, raw)

    assert type_token(pending, request_token(pending, sms_outbox)).status_code == 302


def test_spaces_inside_a_token_are_forgiven(pending, sms_outbox):
    token = request_token(pending, sms_outbox)

    assert type_token(pending, f" {token[:3]} {token[3:]} ").status_code == 302


def test_a_locked_person_is_refused_even_with_the_right_token(pending, sms_outbox, strict_lock):
    token = request_token(pending, sms_outbox)
    type_wrong_tokens(pending, 3, token)

    assert_locked_out(pending, type_token(pending, token))
    assert AuditEvent.objects.filter(tag="account:two_factor:locked").count() == 1


def test_the_lock_is_per_person_not_per_session(client, demo_world, sms_outbox, strict_lock):
    enter_password(client)
    type_wrong_tokens(client, 3)
    fresh = Client()

    assert_locked_out(fresh, enter_password(fresh))


def test_the_lock_lifts_by_time_and_a_sign_in_then_restores_the_full_allowance(
    client, demo_world, sms_outbox, strict_lock, time_travel, settings
):
    settings.TWOFACTOR_RATE_LIMITS = {"sms.user": (100, 60), "sms.number": (100, 60)}
    enter_password(client)
    type_wrong_tokens(client, 3)
    time_travel(conf.TWOFACTOR_LOCK_SECONDS + 1)
    enter_password(client)
    assert type_token(client, request_token(client, sms_outbox))["Location"] == "/"

    later = Client()
    enter_password(later)
    token = request_token(later, sms_outbox)
    type_wrong_tokens(later, 1, token)  # one typo after a good sign-in is not a new lock

    assert type_token(later, token)["Location"] == "/"


def test_a_locked_person_is_not_sent_texts(pending, sms_outbox, strict_lock):
    type_wrong_tokens(pending, 3)

    response = pending.post("/login/verify/sms/")

    assert response.status_code == 429
    assert sms_outbox == []


def test_a_locked_person_cannot_sign_in_by_an_approved_push(pending, strict_lock):
    type_wrong_tokens(pending, 3)
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED, provider="local")

    assert_locked_out(pending, pending.post("/login/verify/", {"action": "check"}))


def test_wrong_tokens_back_off_before_the_lock(pending, sms_outbox):
    token = request_token(pending, sms_outbox)
    type_wrong_tokens(pending, 4, token)

    response = type_token(pending, token)

    assert response.status_code == 429
    assert "Wait" in response.content.decode()


def test_repeated_wrong_tokens_after_a_right_password_email_the_person(pending, sms_outbox):
    token = request_token(pending, sms_outbox)
    type_wrong_tokens(pending, 3, token)

    notices = [m for m in mail.outbox if "repeated failed sign-in" in m.subject]
    assert len(notices) == 1
    assert notices[0].to == ["tech@acme.example"]
    body = notices[0].body
    assert "127.0.0.1" in body and "UTC" in body and "change it" in body
    assert token not in body


def test_verification_works_without_a_request(pending, sms_outbox):
    attempt = current_attempt(pending)
    token = request_token(pending, sms_outbox)

    assert verification.verify_token(attempt, "12").outcome == "malformed"
    assert verification.verify_token(attempt, token).accepted
    assert verification.verify_token(attempt, token).outcome == "wrong"


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database is one shared-cache connection set: parallel "
    "writers fail with 'database table is locked' instead of racing; run on PostgreSQL.",
)
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submissions_of_one_token_sign_in_exactly_once(sms_outbox):
    demo.seed(demo.DEFAULT_PASSWORD)
    first = Client()
    enter_password(first)
    token = request_token(first, sms_outbox)
    cookie = first.cookies["sessionid"].value
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def submit():
        client = Client()
        client.cookies["sessionid"] = cookie
        barrier.wait()
        try:
            response = type_token(client, token)
            outcomes.append(response.get("Location", str(response.status_code)))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 20
    assert outcomes.count("/") == 1  # signed in and sent on; the others: errors or start over
    assert "500" not in outcomes
    assert SignInAttempt.objects.filter(completed_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(tag="account:login:signed_in").count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_wrong_tokens_are_checked_no_more_often_than_the_lock_allows(
    fake_provider, settings
):
    """The hard cap holds under concurrency: guesses released together cannot all slip past
    the lock check before the first of them is counted."""
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    demo.seed(demo.DEFAULT_PASSWORD)
    client = Client()
    enter_password(client)
    attempt_id = current_attempt(client).pk
    guesses = [(f"{n:06d}",) for n in range(20)]

    def guess(token):
        return verification.verify_token(SignInAttempt.objects.get(pk=attempt_id), token).outcome

    fake_provider.token_is_right = False
    outcomes = race(guess, guesses)

    assert fake_provider.asked_count("check_token") <= 3
    assert outcomes.count(verification.Outcome.WRONG) <= 3
    assert verification.Outcome.ACCEPTED not in outcomes


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_provider_that_accepts_a_code_again_still_gives_one_sign_in_per_attempt(
    fake_provider,
):
    """Authy accepts a TOTP code as often as it is asked within its window: the portal's own
    conditional UPDATE on the attempt is what keeps it to one sign-in."""
    demo.seed(demo.DEFAULT_PASSWORD)
    first = Client()
    enter_password(first)
    cookie = first.cookies["sessionid"].value

    def submit():
        client = Client()
        client.cookies["sessionid"] = cookie
        return type_token(client, "123456").get("Location", "refused")

    fake_provider.token_is_right = True
    outcomes = race(submit, 20)

    assert outcomes.count("/") == 1
    assert SignInAttempt.objects.filter(completed_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(tag="account:login:signed_in").count() == 1


@pytest.mark.parametrize(
    ("path", "field", "target"),
    [("/login/verify/", "token", "twofactor.signin.verification.verify_token"),
     ("/login/recovery/code/", "code", "twofactor.recovery.phone_changes.open_request")],
)
def test_a_typed_secret_is_hidden_from_error_reports(pending, path, field, target):
    crashed = []
    got_request_exception.connect(lambda sender, request, **kw: crashed.append(request),
                                  weak=False, dispatch_uid="test-secret-report")
    pending.raise_request_exception = False
    try:
        with mock.patch(target, side_effect=RuntimeError("boom")):
            assert pending.post(path, {field: "123456"}).status_code == 500
    finally:
        got_request_exception.disconnect(dispatch_uid="test-secret-report")

    reported = SafeExceptionReporterFilter().get_post_parameters(crashed[0])
    assert reported[field] != "123456"


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_asked_outside_any_transaction_so_a_slow_one_blocks_no_writes(
    fake_provider, client
):
    """The lock row is claimed and settled in short transactions: while a (remote) provider
    takes its time, no row lock is held and SQLite's single writer is not kept busy."""
    demo.seed(demo.DEFAULT_PASSWORD)
    enter_password(client)
    assert send_sms(client).status_code == 302
    token = fake_provider.token_for(current_attempt(client).pk)

    assert type_token(client, wrong(token)).status_code == 400
    assert type_token(client, token)["Location"] == "/"

    assert [check.in_transaction for check in fake_provider.checks] == [False, False]


def test_a_provider_failure_does_not_count_as_a_wrong_answer(
    fake_provider, pending, strict_lock
):
    from twofactor.models import FactorLock
    from twofactor.providers.base import ErrorKind

    fake_provider.fail("check_token", ErrorKind.UNAVAILABLE)
    for _ in range(5):
        assert type_token(pending, "123456").status_code == 503

    assert fake_provider.asked_count("check_token") == 5
    attempt = current_attempt(pending)
    assert FactorLock.objects.get(pk=attempt.user_id).failure_count == 0
