"""The authy provider against the loopback Authy API, through the real ``authy`` library."""

import pytest

from emulators.base import Reply
from tests.twofactor.providers.faults import FAULTS, assert_fails_as
from twofactor.providers.base import ApprovalDetails, ApprovalStatus, ErrorKind, ProviderError

APPROVAL = ApprovalDetails(
    message="Sign in to Partner Portal",
    details={"Email": "tech@acme.example"},
    hidden_details={"attempt": "a1"},
    expires_in=120,
)


def test_register_keeps_the_authy_id_and_can_text_the_install_link(authy, authy_emulator, person):
    ref = authy.register(person, person.phone, send_install_link=True)
    assert authy_emulator.users[int(ref)]["cellphone"] == "2015550102"
    assert authy_emulator.users[int(ref)]["country_code"] == "1"
    assert authy_emulator.install_links == [int(ref)]
    assert authy.register(person, person.phone) == ref


def test_unregister_removes_the_person_and_a_missing_one_is_fine(authy, authy_emulator, person):
    ref = authy.register(person, person.phone)
    authy.unregister(ref)
    assert int(ref) not in authy_emulator.users
    authy.unregister(ref)


def test_texted_token_is_accepted_and_a_wrong_one_refused(authy, authy_emulator, person):
    ref = authy.register(person, person.phone)
    authy.send_sms(person, ref, person.phone, attempt_id="a1")
    token = authy_emulator.last_sms_token(ref)
    wrong = "1234567" if token != "1234567" else "7654321"
    assert authy.check_token(person, ref, person.phone, wrong, attempt_id="a1") is False
    assert authy.check_token(person, ref, person.phone, token, attempt_id="a1") is True


@pytest.mark.parametrize(
    "token", ["../sms", "123456/1000#", "١٢٣٤٥٦٧", "12345", "1" * 11, "", "123 456", "%2e%2e"]
)
def test_a_token_not_in_authys_format_is_never_sent(authy, authy_emulator, person, token):
    ref = authy.register(person, person.phone)
    before = len(authy_emulator.exchanges)
    assert authy.check_token(person, ref, person.phone, token, attempt_id="a1") is False
    assert len(authy_emulator.exchanges) == before


def test_a_200_without_token_is_valid_is_not_success(authy, authy_emulator, person, monkeypatch):
    """What ``../sms`` got from Authy in 2015: HTTP 200 and success, but no valid token."""
    ref = authy.register(person, person.phone)
    sms_answer = Reply(200, {"success": True, "message": "SMS token was sent"})
    monkeypatch.setattr(authy_emulator, "handle", lambda request: sms_answer)
    with pytest.raises(ProviderError) as error:
        authy.check_token(person, ref, person.phone, "1234567", attempt_id="a1")
    assert error.value.kind is ErrorKind.BAD_RESPONSE


def test_a_malformed_ref_never_reaches_a_url(authy, authy_emulator, person):
    with pytest.raises(ProviderError) as error:
        authy.send_sms(person, "../users/1/remove", person.phone, attempt_id="a1")
    assert error.value.kind is ErrorKind.REJECTED
    assert authy_emulator.exchanges == []


def test_onetouch_request_reports_approved(authy, authy_emulator, person):
    ref = authy.register(person, person.phone)
    request_ref = authy.create_approval(person, ref, APPROVAL)
    stored = authy_emulator.approvals[request_ref]
    assert stored["details"] == {"Email": "tech@acme.example"}
    assert stored["hidden_details"] == {"attempt": "a1"}
    assert stored["seconds_to_expire"] == 120
    assert authy.approval_status(ref, request_ref) is ApprovalStatus.PENDING
    authy_emulator.approve(request_ref)
    assert authy.approval_status(ref, request_ref) is ApprovalStatus.APPROVED


def test_onetouch_denied_and_expired(authy, authy_emulator, person):
    ref = authy.register(person, person.phone)
    denied = authy.create_approval(person, ref, APPROVAL)
    authy_emulator.deny(denied)
    assert authy.approval_status(ref, denied) is ApprovalStatus.DENIED
    expired = authy.create_approval(person, ref, APPROVAL)
    authy_emulator.approvals[expired]["created"] -= 121
    assert authy.approval_status(ref, expired) is ApprovalStatus.EXPIRED


def test_another_persons_approval_request_is_not_reported(authy, authy_emulator, demo_world):
    first, second = demo_world["tech@acme.example"], demo_world["admin@acme.example"]
    first_ref = authy.register(first, first.phone)
    second_ref = authy.register(second, second.phone)
    request_ref = authy.create_approval(first, first_ref, APPROVAL)
    authy_emulator.approve(request_ref)
    with pytest.raises(ProviderError):
        authy.approval_status(second_ref, request_ref)


def test_unknown_number_is_rejected_with_authys_code(authy, person):
    with pytest.raises(ProviderError) as error:
        authy.register(person, "+999")
    assert error.value.kind is ErrorKind.REJECTED


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_every_failure_maps_to_a_provider_error_within_the_deadline(
    authy, authy_emulator, person, fault
):
    ref = authy.register(person, person.phone)
    assert_fails_as(
        fault,
        authy_emulator,
        lambda: authy.send_sms(person, ref, person.phone, attempt_id="a1"),
        error_code="60027",
    )


@pytest.mark.parametrize("fault", FAULTS[:2], ids=[f.name for f in FAULTS[:2]])
def test_token_check_and_status_poll_are_bounded_too(authy, authy_emulator, person, fault):
    ref = authy.register(person, person.phone)
    request_ref = authy.create_approval(person, ref, APPROVAL)
    assert_fails_as(
        fault,
        authy_emulator,
        lambda: authy.check_token(person, ref, person.phone, "1234567", attempt_id="a1"),
    )
    assert_fails_as(fault, authy_emulator, lambda: authy.approval_status(ref, request_ref))


def test_the_number_to_match_is_displayed_in_the_requests_details(authy, authy_emulator, person):
    """The Authy API can only display the number (its app does not enforce the match)."""
    ref = authy.register(person, person.phone)
    shown = ApprovalDetails(message="Sign in", details={"Number to match": "42"},
                            hidden_details={"match_number": "42"})
    request_ref = authy.create_approval(person, ref, shown)
    assert authy_emulator.approvals[request_ref]["details"]["Number to match"] == "42"
    assert authy_emulator.number_to_match(request_ref) == "42"
