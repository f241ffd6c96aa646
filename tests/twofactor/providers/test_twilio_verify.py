"""The twilio_verify provider against the loopback Verify API, through the ``twilio`` library.

The ``twilio_emulator`` fixture checks every answer the emulator gave against Twilio's spec.
"""

import pytest

from tests.twofactor.providers.faults import FAULTS, assert_fails_as
from twofactor.providers.base import ApprovalDetails, ApprovalStatus, ErrorKind, ProviderError
from twofactor.providers.twilio_verify import identity_for

APPROVAL = ApprovalDetails(
    message="Sign in to Partner Portal",
    details={"Email": "tech@acme.example", "From": "203.0.113.9"},
    hidden_details={"attempt": "a1"},
    expires_in=120,
)


@pytest.fixture
def enrolled(twilio, twilio_emulator, person):
    ref = twilio.register(person, person.phone)
    twilio_emulator.enroll_device(ref)
    return ref


def test_register_makes_one_entity_without_personal_data(twilio, twilio_emulator, person):
    ref = twilio.register(person, person.phone)
    assert ref == identity_for(person)
    assert person.email not in ref and person.phone not in ref
    assert twilio.register(person, person.phone) == ref
    assert list(twilio_emulator.entities) == [ref]


def test_unregister_deletes_the_entity_and_a_missing_one_is_fine(twilio, twilio_emulator, person):
    ref = twilio.register(person, person.phone)
    twilio.unregister(ref)
    assert twilio_emulator.entities == {}
    twilio.unregister(ref)


def test_texted_code_is_accepted_once_and_a_wrong_one_refused(twilio, twilio_emulator, person):
    ref = twilio.register(person, person.phone)
    twilio.send_sms(person, ref, person.phone, attempt_id="a1")
    code = twilio_emulator.last_code(person.phone)
    wrong = "000000" if code != "000000" else "111111"
    assert twilio.check_token(person, ref, person.phone, wrong, attempt_id="a1") is False
    assert twilio.check_token(person, ref, person.phone, code, attempt_id="a1") is True
    assert twilio.check_token(person, ref, person.phone, code, attempt_id="a1") is False


@pytest.mark.parametrize("token", ["../sms", "١٢٣٤٥٦", "12 34", "1" * 11, "abc123", ""])
def test_a_code_not_in_verifys_format_is_never_sent(twilio, twilio_emulator, person, token):
    ref = twilio.register(person, person.phone)
    before = len(twilio_emulator.exchanges)
    assert twilio.check_token(person, ref, person.phone, token, attempt_id="a1") is False
    assert len(twilio_emulator.exchanges) == before


def test_push_challenge_shows_details_and_reports_approved(
    twilio, twilio_emulator, enrolled, person
):
    sid = twilio.create_approval(person, enrolled, APPROVAL)
    challenge = twilio_emulator.challenges[sid]
    assert challenge["details"]["message"] == "Sign in to Partner Portal"
    assert {"label": "Email", "value": "tech@acme.example"} in challenge["details"]["fields"]
    assert challenge["hidden_details"] == {"attempt": "a1"}
    assert 100 < challenge["expires"] - challenge["created"] <= 121
    assert twilio.approval_status(enrolled, sid) is ApprovalStatus.PENDING
    twilio_emulator.approve(sid)
    assert twilio.approval_status(enrolled, sid) is ApprovalStatus.APPROVED


def test_push_denied_and_expired(twilio, twilio_emulator, enrolled, person):
    denied = twilio.create_approval(person, enrolled, APPROVAL)
    twilio_emulator.deny(denied)
    assert twilio.approval_status(enrolled, denied) is ApprovalStatus.DENIED
    expired = twilio.create_approval(person, enrolled, APPROVAL)
    twilio_emulator.challenges[expired]["expires"] -= 200
    assert twilio.approval_status(enrolled, expired) is ApprovalStatus.EXPIRED


def test_push_without_an_enrolled_app_is_refused(twilio, person):
    ref = twilio.register(person, person.phone)
    with pytest.raises(ProviderError) as error:
        twilio.create_approval(person, ref, APPROVAL)
    assert error.value.kind is ErrorKind.REJECTED


def test_another_persons_challenge_is_not_found(twilio, twilio_emulator, enrolled, demo_world):
    other = demo_world["admin@acme.example"]
    other_ref = twilio.register(other, other.phone)
    sid = twilio.create_approval(demo_world["tech@acme.example"], enrolled, APPROVAL)
    with pytest.raises(ProviderError) as error:
        twilio.approval_status(other_ref, sid)
    assert error.value.code == "20404"


def test_enrollment_gives_the_app_an_access_token(twilio, person):
    ref = twilio.register(person, person.phone)
    data = twilio.enrollment_data(person, ref)
    assert data["identity"] == ref
    assert data["factor_type"] == "push"
    assert data["access_token"].count(".") == 2


def test_the_help_text_names_the_operators_app(twilio_settings, db):
    twilio_settings.TWILIO_VERIFY_APP_NAME = "the Acme Secure app"
    from twofactor.providers import get_provider

    assert get_provider("twilio_verify").app_name == "the Acme Secure app"


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_every_failure_maps_to_a_provider_error_within_the_deadline(
    twilio, twilio_emulator, person, fault
):
    ref = twilio.register(person, person.phone)
    assert_fails_as(
        fault,
        twilio_emulator,
        lambda: twilio.send_sms(person, ref, person.phone, attempt_id="a1"),
        error_code="60200",
    )


@pytest.mark.parametrize("fault", FAULTS[:2], ids=[f.name for f in FAULTS[:2]])
def test_a_two_request_call_shares_one_deadline(twilio, twilio_emulator, enrolled, person, fault):
    assert_fails_as(
        fault, twilio_emulator, lambda: twilio.create_approval(person, enrolled, APPROVAL)
    )


def test_too_many_wrong_codes_is_rate_limited(twilio, twilio_emulator, person):
    ref = twilio.register(person, person.phone)
    twilio.send_sms(person, ref, person.phone, attempt_id="a1")
    for _ in range(5):
        twilio.check_token(person, ref, person.phone, "99999999", attempt_id="a1")
    with pytest.raises(ProviderError) as error:
        twilio.check_token(person, ref, person.phone, "99999999", attempt_id="a1")
    assert (error.value.kind, error.value.code) == (ErrorKind.RATE_LIMITED, "60202")


def test_push_apps_are_listed_from_the_entity_and_deleted_there(
    twilio, twilio_emulator, person, demo_world
):
    assert twilio.push_factors(person) == []  # no Entity yet: nothing enrolled
    identity = twilio.register(person, person.phone)
    sid = twilio_emulator.enroll_device(identity, friendly_name="Pixel 8")
    twilio_emulator.enroll_device(identity_for(demo_world["admin@acme.example"]))

    [app] = twilio.push_factors(person)
    assert (app.id, app.friendly_name, app.status) == (sid, "Pixel 8", "verified")
    assert app.created is not None

    assert twilio.delete_push_factor(person, sid) is True
    assert twilio.push_factors(person) == []
    assert twilio.delete_push_factor(person, sid) is False  # already gone


def test_another_persons_app_is_not_deleted(twilio, twilio_emulator, person, demo_world):
    other = demo_world["admin@acme.example"]
    sid = twilio_emulator.enroll_device(identity_for(other))
    assert twilio.delete_push_factor(person, sid) is False
    assert len(twilio.push_factors(other)) == 1


@pytest.mark.parametrize("factor_id", ["../../Entities/user-00000001", "YF" + "g" * 32, ""])
def test_a_malformed_factor_id_is_never_sent(twilio, twilio_emulator, person, factor_id):
    with pytest.raises(ProviderError) as error:
        twilio.delete_push_factor(person, factor_id)
    assert error.value.kind is ErrorKind.REJECTED
    assert twilio_emulator.exchanges == []


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_listing_and_deleting_apps_fail_as_every_other_call(
    twilio, twilio_emulator, enrolled, person, fault
):
    sid = next(iter(twilio_emulator.factors))
    assert_fails_as(fault, twilio_emulator, lambda: twilio.push_factors(person))
    assert_fails_as(fault, twilio_emulator, lambda: twilio.delete_push_factor(person, sid))


def test_the_number_to_match_rides_in_details_and_hidden_details(
    twilio, twilio_emulator, enrolled, person
):
    """For the operator's app (built on the Verify Push SDK) to show and check."""
    shown = ApprovalDetails(message="Sign in", details={"Number to match": "42"},
                            hidden_details={"match_number": "42"})
    sid = twilio.create_approval(person, enrolled, shown)
    challenge = twilio_emulator.challenges[sid]
    assert {"label": "Number to match", "value": "42"} in challenge["details"]["fields"]
    assert challenge["hidden_details"] == {"match_number": "42"}
    assert twilio_emulator.number_to_match(sid) == "42"
