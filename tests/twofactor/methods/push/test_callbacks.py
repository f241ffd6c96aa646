"""Provider callbacks: a valid signature is accepted once; anything else changes nothing."""

import json
import time

import pytest

from emulators.authy import sign_callback
from twofactor.providers.base import ApprovalDetails, ApprovalStatus

AUTHY_PATH = "/twofactor/callbacks/authy/"
TWILIO_PATH = "/twofactor/callbacks/twilio/"
PUBLIC = "https://portal.example"
APPROVAL = ApprovalDetails(message="Sign in", details={"Email": "p@example.com"}, expires_in=120)


@pytest.fixture
def answers(monkeypatch) -> list[tuple[str, ApprovalStatus, str]]:
    """What the callbacks handed to ``approvals.record_answer`` (the journeys in
    test_provider_journeys.py check what the real one then does to the sign-in)."""
    import twofactor.methods.push.callbacks

    recorded: list[tuple[str, ApprovalStatus, str]] = []

    def record_answer(ref: str, status: ApprovalStatus, *, provider: str) -> bool:
        recorded.append((ref, status, provider))
        return True

    monkeypatch.setattr(twofactor.methods.push.callbacks.approvals, "record_answer", record_answer)
    return recorded


# -- Authy --------------------------------------------------------------------------------


@pytest.fixture
def approved_uuid(authy, authy_emulator, person) -> str:
    ref = authy.register(person, person.phone)
    request_uuid = authy.create_approval(person, ref, APPROVAL)
    authy_emulator.approve(request_uuid)
    return request_uuid


def post_authy(client, body: bytes, headers: dict[str, str], path: str = AUTHY_PATH):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def test_authy_callback_with_a_valid_signature_is_recorded_once(
    client, authy_emulator, approved_uuid, answers
):
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)
    assert post_authy(client, body, headers).status_code == 204
    assert answers == [(approved_uuid, ApprovalStatus.APPROVED, "authy")]
    assert post_authy(client, body, headers).status_code == 409
    assert answers == [(approved_uuid, ApprovalStatus.APPROVED, "authy")]


@pytest.mark.parametrize("missing", ["X-Authy-Signature", "X-Authy-Signature-Nonce"])
def test_authy_callback_without_signature_or_nonce_is_refused(
    client, authy_emulator, approved_uuid, answers, missing
):
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)
    del headers[missing]
    assert post_authy(client, body, headers).status_code == 403
    assert answers == []


def test_authy_callback_signed_with_another_key_is_refused(
    client, authy_emulator, approved_uuid, answers
):
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)
    nonce = headers["X-Authy-Signature-Nonce"]
    headers["X-Authy-Signature"] = sign_callback(
        "other-key", nonce, "POST", PUBLIC + AUTHY_PATH, json.loads(body)
    )
    assert post_authy(client, body, headers).status_code == 403
    assert answers == []


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://evil.example/twofactor/callbacks/authy/",
        PUBLIC + "/twofactor/callbacks/authy/?next=1",
        "http://portal.example/twofactor/callbacks/authy/",
        "http://testserver/twofactor/callbacks/authy/",
    ],
)
def test_authy_callback_signed_for_another_url_is_refused(
    client, authy_emulator, approved_uuid, answers, signed_url
):
    body, headers = authy_emulator.signed_callback(signed_url, approved_uuid)
    assert post_authy(client, body, headers).status_code == 403
    assert answers == []


def test_authy_callback_with_an_old_nonce_is_refused(
    client, authy_emulator, approved_uuid, answers
):
    old = str(int(time.time()) - 600)
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid, nonce=old)
    assert post_authy(client, body, headers).status_code == 403
    assert answers == []


def test_authy_callback_whose_body_was_changed_is_refused(
    client, authy, authy_emulator, person, answers
):
    request_uuid = authy.create_approval(person, authy.register(person, person.phone), APPROVAL)
    authy_emulator.deny(request_uuid)
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, request_uuid)
    forged = body.replace(b'"denied"', b'"approved"')
    assert post_authy(client, forged, headers).status_code == 403
    assert answers == []


def test_authy_callback_is_post_only_and_only_for_the_chosen_provider(
    client, authy_settings, authy_emulator, approved_uuid, answers
):
    assert client.get(AUTHY_PATH).status_code == 405
    authy_settings.TWOFACTOR_PROVIDER = "local"
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)
    assert post_authy(client, body, headers).status_code == 404
    assert answers == []


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b"{}", b'{"a":' * 5000 + b"1" + b"}" * 5000]
)
def test_authy_callback_body_that_is_not_a_json_object_is_refused(client, authy, answers, body):
    headers = {"X-Authy-Signature": "x", "X-Authy-Signature-Nonce": str(int(time.time()))}
    assert post_authy(client, body, headers).status_code == 403
    assert answers == []


# -- Twilio Verify ------------------------------------------------------------------------


@pytest.fixture
def approved_sid(twilio, twilio_emulator, person) -> str:
    ref = twilio.register(person, person.phone)
    twilio_emulator.enroll_device(ref)
    sid = twilio.create_approval(person, ref, APPROVAL)
    twilio_emulator.approve(sid)
    return sid


def test_twilio_webhook_with_a_valid_signature_is_recorded_once(
    client, twilio_emulator, approved_sid, answers
):
    params, headers = twilio_emulator.signed_webhook(PUBLIC + TWILIO_PATH, approved_sid)
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 204
    assert answers == [(approved_sid, ApprovalStatus.APPROVED, "twilio_verify")]
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 409
    assert answers == [(approved_sid, ApprovalStatus.APPROVED, "twilio_verify")]


def test_twilio_webhook_without_signature_is_refused(
    client, twilio_emulator, approved_sid, answers
):
    params, headers = twilio_emulator.signed_webhook(PUBLIC + TWILIO_PATH, approved_sid)
    del headers["X-Twilio-Signature"]
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 403
    assert answers == []


def test_twilio_webhook_signed_with_another_token_is_refused(
    client, twilio_emulator, approved_sid, answers
):
    twilio_emulator.auth_token = "another-token"
    params, headers = twilio_emulator.signed_webhook(PUBLIC + TWILIO_PATH, approved_sid)
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 403
    assert answers == []


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://evil.example/twofactor/callbacks/twilio/",
        "http://testserver/twofactor/callbacks/twilio/",
    ],
)
def test_twilio_webhook_signed_for_another_url_is_refused(
    client, twilio_emulator, approved_sid, answers, signed_url
):
    params, headers = twilio_emulator.signed_webhook(signed_url, approved_sid)
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 403
    assert answers == []


def test_twilio_webhook_whose_status_was_changed_is_refused(
    client, twilio, twilio_emulator, person, answers
):
    ref = twilio.register(person, person.phone)
    twilio_emulator.enroll_device(ref)
    sid = twilio.create_approval(person, ref, APPROVAL)
    twilio_emulator.deny(sid)
    params, headers = twilio_emulator.signed_webhook(PUBLIC + TWILIO_PATH, sid)
    params.update(challenge_status="approved", type="challenge.approved")
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 403
    assert answers == []


def test_twilio_webhook_replayed_under_a_new_idempotency_header_is_refused(
    client, twilio_emulator, approved_sid, answers
):
    params, headers = twilio_emulator.signed_webhook(PUBLIC + TWILIO_PATH, approved_sid)
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 204
    headers["I-Twilio-Idempotency-Token"] = "fresh-looking"
    assert client.post(TWILIO_PATH, params, headers=headers).status_code == 409
    assert len(answers) == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_one_callback_are_recorded_once(
    authy_settings, authy_emulator, answers, demo_world
):
    """The replay memory is an atomic cache.add: of eight copies arriving together, one counts."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import RequestFactory

    if (
        connection.vendor == "sqlite"
        and "redis" not in authy_settings.CACHES["default"]["BACKEND"].lower()
    ):
        pytest.skip("the test run's in-memory SQLite locks whole tables without waiting")

    from twofactor.methods.push.callbacks import authy_callback
    from twofactor.providers import get_provider

    provider = get_provider("authy")
    person = demo_world["tech@acme.example"]
    request_uuid = provider.create_approval(
        person, provider.register(person, person.phone), APPROVAL
    )
    authy_emulator.approve(request_uuid)
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, request_uuid)

    def deliver(_: int) -> int:
        try:
            request = RequestFactory().post(
                AUTHY_PATH, data=body, content_type="application/json", headers=headers
            )
            return authy_callback(request).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(deliver, range(8)))
    assert statuses == [204] + [409] * 7
    assert answers == [(request_uuid, ApprovalStatus.APPROVED, "authy")]


def test_a_callback_whose_answer_lost_is_told_the_request_was_already_answered(
    client, authy_emulator, approved_uuid, monkeypatch
):
    """The request was answered first (the phone, or the provider's poll): a 2xx, so the
    provider does not retry, saying the answer changed nothing."""
    from twofactor.methods.push import callbacks

    monkeypatch.setattr(callbacks.approvals, "record_answer", lambda *args, **kwargs: False)
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)

    response = post_authy(client, body, headers)

    assert response.status_code == 200
    assert "already answered" in response.content.decode()


def test_a_callback_is_refused_for_a_retry_while_its_replay_memory_is_away(
    client, authy_emulator, approved_uuid, answers, monkeypatch
):
    """The cache that remembers deliveries is down: 503 and Retry-After (the provider sends
    it again), never a 500 and never an answer recorded without the replay check."""
    import redis

    from twofactor.methods.push import callbacks

    class Away:
        def add(self, *args, **kwargs):
            raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(callbacks, "cache", Away())
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)

    response = post_authy(client, body, headers)

    assert response.status_code == 503 and response["Retry-After"]
    assert answers == []


def test_a_callback_whose_delivery_could_not_be_remembered_is_asked_for_again(
    client, authy_emulator, approved_uuid, answers, monkeypatch
):
    """Django's database cache answers add() with False when its write fails (a locked
    table), just as for a key already there. That is not a replay: 503, so the provider
    delivers it again, and nothing recorded without the replay memory."""
    from twofactor.methods.push import callbacks

    class WriteFailed:
        def add(self, *args, **kwargs):
            return False

        def get(self, *args, **kwargs):
            return None

    monkeypatch.setattr(callbacks, "cache", WriteFailed())
    body, headers = authy_emulator.signed_callback(PUBLIC + AUTHY_PATH, approved_uuid)

    response = post_authy(client, body, headers)

    assert response.status_code == 503 and response["Retry-After"]
    assert answers == []
