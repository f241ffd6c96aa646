"""The Authy emulator, driven by the real ``authy`` library."""

import json
import time

import pytest
import requests
from authy.api import AuthyApiClient

from emulators.authy import AuthyEmulator


@pytest.fixture
def authy(authy_emulator: AuthyEmulator) -> AuthyApiClient:
    return AuthyApiClient(authy_emulator.api_key, api_uri=authy_emulator.base_url)


def register(authy: AuthyApiClient, phone: str = "5551234567") -> int:
    user = authy.users.create("person@example.com", phone, 1)
    assert user.ok()
    return user.id


def test_users_new_returns_an_id_and_the_same_phone_keeps_it(authy):
    first = register(authy)
    assert isinstance(first, int)
    assert register(authy) == first
    assert register(authy, "5559876543") != first


def test_users_new_can_text_the_install_link(authy, authy_emulator):
    user = authy.users.create("p@example.com", "5551234567", 1, send_install_link_via_sms=True)
    assert authy_emulator.install_links == [user.id]


def test_users_new_refuses_an_invalid_number(authy):
    user = authy.users.create("p@example.com", "not-a-phone", 1)
    assert not user.ok()
    assert user.errors()["cellphone"] == "is invalid"


def test_wrong_api_key_is_refused(authy_emulator):
    client = AuthyApiClient("wrong", api_uri=authy_emulator.base_url)
    status = client.users.status(1)
    assert status.response.status_code == 401
    assert status.content["error_code"] == "60001"


def test_user_status_and_removal(authy):
    authy_id = register(authy)
    assert authy.users.status(authy_id).content["status"]["authy_id"] == authy_id
    assert authy.users.delete(authy_id).ok()
    assert authy.users.status(authy_id).response.status_code == 404


def test_sms_token_verifies_once_sent_and_a_wrong_one_does_not(authy, authy_emulator):
    authy_id = register(authy)
    assert authy.users.request_sms(authy_id, {"force": True}).ok()
    token = authy_emulator.last_sms_token(authy_id)
    good = authy.tokens.verify(authy_id, token)
    assert good.ok()
    assert good.content == {"message": "Token is valid.", "token": "is valid", "success": "true"}
    wrong = authy.tokens.verify(authy_id, "0000000" if token != "0000000" else "1111111")
    assert not wrong.ok()
    assert wrong.response.status_code == 401
    assert wrong.content["error_code"] == "60020"


def test_a_verify_url_traversed_to_sms_answers_success_without_is_valid(authy, authy_emulator):
    """The 2015 bypass: ``../sms`` as the token reaches the SMS endpoint, which says success."""
    authy_id = register(authy)
    response = requests.get(
        f"{authy_emulator.base_url}/protected/json/verify/../sms/{authy_id}",
        headers={"X-Authy-API-Key": authy_emulator.api_key},
        timeout=2,
    )
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert '"token":"is valid"' not in response.text


def test_onetouch_request_is_pending_until_approved_and_then_stays_approved(authy, authy_emulator):
    authy_id = register(authy)
    sent = authy.one_touch.send_request(
        authy_id,
        "Sign in to Partner Portal",
        seconds_to_expire=120,
        details={"Email": "p@example.com"},
        hidden_details={"attempt": "a1"},
    )
    uuid = sent.get_uuid()
    assert uuid and sent.status() is True
    assert (
        authy.one_touch.get_approval_status(uuid).content["approval_request"]["status"] == "pending"
    )
    authy_emulator.approve(uuid)
    authy_emulator.deny(uuid)
    status = authy.one_touch.get_approval_status(uuid)
    # The library's status() is the success flag, not the answer.
    assert status.status() is True
    assert status.content["approval_request"]["status"] == "approved"


def test_onetouch_denied_and_expired(authy, authy_emulator):
    authy_id = register(authy)
    denied = authy.one_touch.send_request(authy_id, "Sign in", seconds_to_expire=120).get_uuid()
    authy_emulator.deny(denied)
    assert authy.one_touch.get_approval_status(denied)["approval_request"]["status"] == "denied"
    expiring = authy.one_touch.send_request(authy_id, "Sign in", seconds_to_expire=1).get_uuid()
    authy_emulator.approvals[expiring]["created"] -= 2
    authy_emulator.approve(expiring)
    assert authy.one_touch.get_approval_status(expiring)["approval_request"]["status"] == "expired"
    assert authy_emulator.pending_requests(authy_id) == []


def test_unknown_approval_request_is_404(authy):
    assert authy.one_touch.get_approval_status("nope").response.status_code == 404


def test_signed_callback_passes_the_librarys_own_check(authy, authy_emulator):
    authy_id = register(authy)
    uuid = authy.one_touch.send_request(
        authy_id, "Sign in", details={"a b": "c/d"}, hidden_details={"n": "1"}
    ).get_uuid()
    authy_emulator.approve(uuid)
    url = "https://portal.example/twofactor/callbacks/authy/"
    body, headers = authy_emulator.signed_callback(url, uuid)
    params = json.loads(body)
    assert authy.one_touch.validate_one_touch_signature(
        headers["X-Authy-Signature"], headers["X-Authy-Signature-Nonce"], "POST", url, params
    )
    assert not authy.one_touch.validate_one_touch_signature(
        headers["X-Authy-Signature"], headers["X-Authy-Signature-Nonce"], "POST", url + "x", params
    )


def test_post_callback_delivers_the_signed_body(authy, authy_emulator):
    receiver = AuthyEmulator(api_key="receiver").start()
    try:
        uuid = authy.one_touch.send_request(register(authy), "Sign in").get_uuid()
        authy_emulator.post_callback(receiver.base_url + "/callback", uuid)
        request = receiver.exchanges[-1].request
        assert request.header("X-Authy-Signature")
        assert request.json["uuid"] == uuid
    finally:
        receiver.stop()


def test_tokens_expire_after_ten_minutes(authy, authy_emulator):
    authy_id = register(authy)
    authy.users.request_sms(authy_id)
    token, sent_at = authy_emulator.sms[authy_id][-1]
    authy_emulator.sms[authy_id][-1] = (token, sent_at - 601)
    assert not authy.tokens.verify(authy_id, token).ok()
    assert time.time() > sent_at
