"""The Twilio Verify emulator, driven by the real ``twilio`` library.

The ``twilio_emulator`` fixture validates every response against Twilio's OpenAPI spec.
"""

import base64
import json

import jsonschema
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from emulators.spec import validate_exchanges, validate_response
from emulators.twilio_verify import TwilioVerifyEmulator

PHONE = "+15005550006"


@pytest.fixture
def client(twilio_emulator: TwilioVerifyEmulator) -> Client:
    client = Client(twilio_emulator.account_sid, twilio_emulator.auth_token)
    client.verify.base_url = twilio_emulator.base_url
    client.api.base_url = twilio_emulator.base_url
    return client


@pytest.fixture
def service(client, twilio_emulator):
    return client.verify.v2.services(twilio_emulator.service_sid)


def test_sms_verification_approves_the_texted_code_once(service, twilio_emulator):
    sent = service.verifications.create(to=PHONE, channel="sms")
    assert sent.status == "pending"
    code = twilio_emulator.last_code(PHONE)
    wrong = service.verification_checks.create(to=PHONE, code="000000" if code != "000000" else "1")
    assert (wrong.status, wrong.valid) == ("pending", False)
    right = service.verification_checks.create(to=PHONE, code=code)
    assert (right.status, right.valid) == ("approved", True)
    with pytest.raises(TwilioRestException) as error:
        service.verification_checks.create(to=PHONE, code=code)
    assert (error.value.status, error.value.code) == (404, 20404)


def test_too_many_wrong_codes_is_429_60202(service):
    service.verifications.create(to=PHONE, channel="sms")
    for _ in range(5):
        service.verification_checks.create(to=PHONE, code="999999x")
    with pytest.raises(TwilioRestException) as error:
        service.verification_checks.create(to=PHONE, code="999999")
    assert (error.value.status, error.value.code) == (429, 60202)


def test_invalid_to_is_refused_with_twilios_error_json(service):
    with pytest.raises(TwilioRestException) as error:
        service.verifications.create(to="12", channel="sms")
    assert (error.value.status, error.value.code) == (400, 60200)


def test_wrong_credentials_are_refused(twilio_emulator):
    client = Client(twilio_emulator.account_sid, "wrong")
    client.verify.base_url = twilio_emulator.base_url
    with pytest.raises(TwilioRestException) as error:
        client.verify.v2.services(twilio_emulator.service_sid).verifications.create(
            to=PHONE, channel="sms"
        )
    assert (error.value.status, error.value.code) == (401, 20003)


def test_rate_limited_answer_carries_retry_after(service, twilio_emulator):
    twilio_emulator.faults.status_429 = 9
    with pytest.raises(TwilioRestException) as error:
        service.verifications.create(to=PHONE, channel="sms")
    assert (error.value.status, error.value.code) == (429, 20429)
    assert twilio_emulator.exchanges[-1].reply.headers["Retry-After"] == "9"


def test_push_challenge_lifecycle(service, twilio_emulator):
    identity = "user-0000000001"
    factor_sid = twilio_emulator.enroll_device(identity)
    factors = service.entities(identity).factors.list()
    assert [f.sid for f in factors] == [factor_sid]
    challenge = service.entities(identity).challenges.create(
        factor_sid=factor_sid,
        details_message="Sign in to Partner Portal",
        details_fields=[json.dumps({"label": "Email", "value": "p@example.com"})],
        hidden_details=json.dumps({"attempt": "a1"}),
    )
    assert challenge.status == "pending"
    assert challenge.details["fields"] == [{"label": "Email", "value": "p@example.com"}]
    twilio_emulator.approve(challenge.sid)
    twilio_emulator.deny(challenge.sid)
    assert service.entities(identity).challenges(challenge.sid).fetch().status == "approved"


def test_the_device_answers_through_the_sdk_auth_payload(service, twilio_emulator):
    identity = "user-0000000002"
    factor_sid = twilio_emulator.enroll_device(identity)
    challenge = service.entities(identity).challenges.create(
        factor_sid=factor_sid, details_message="Sign in"
    )
    claims = base64.urlsafe_b64encode(json.dumps({"status": "denied"}).encode()).decode()
    updated = (
        service.entities(identity)
        .challenges(challenge.sid)
        .update(auth_payload=f"e30.{claims.rstrip('=')}.sig")
    )
    assert updated.status == "denied"


def test_challenges_expire(service, twilio_emulator):
    identity = "user-0000000003"
    factor_sid = twilio_emulator.enroll_device(identity)
    challenge = service.entities(identity).challenges.create(
        factor_sid=factor_sid, details_message="Sign in"
    )
    twilio_emulator.challenges[challenge.sid]["expires"] -= 301
    twilio_emulator.approve(challenge.sid)
    assert service.entities(identity).challenges(challenge.sid).fetch().status == "expired"


def test_an_unverified_factor_cannot_be_challenged(service):
    identity = "user-0000000004"
    factor = service.entities(identity).new_factors.create(
        friendly_name="phone",
        factor_type="push",
        binding_alg="ES256",
        binding_public_key="key",
        config_app_id="com.example",
        config_notification_platform="fcm",
        config_notification_token="t",
        config_sdk_version="1.0",
    )
    assert factor.status == "unverified"
    with pytest.raises(TwilioRestException) as error:
        service.entities(identity).challenges.create(factor_sid=factor.sid, details_message="x")
    assert error.value.status == 400
    verified = service.entities(identity).factors(factor.sid).update(auth_payload="signed")
    assert verified.status == "verified"


def test_entities_and_access_tokens(service):
    identity = "user-0000000005"
    entity = service.entities.create(identity=identity)
    assert service.entities(identity).fetch().sid == entity.sid
    token = service.access_tokens.create(identity=identity, factor_type="push", ttl=60)
    assert token.token.count(".") == 2
    assert service.entities(identity).delete() is True
    with pytest.raises(TwilioRestException):
        service.entities(identity).fetch()


def test_webhook_signature_validates_with_twilios_validator(service, twilio_emulator):
    identity = "user-0000000006"
    factor_sid = twilio_emulator.enroll_device(identity)
    challenge = service.entities(identity).challenges.create(
        factor_sid=factor_sid, details_message="Sign in"
    )
    twilio_emulator.approve(challenge.sid)
    url = "https://portal.example/twofactor/callbacks/twilio/"
    params, headers = twilio_emulator.signed_webhook(url, challenge.sid)
    assert params["type"] == "challenge.approved"
    validator = RequestValidator(twilio_emulator.auth_token)
    assert validator.validate(url, params, headers["X-Twilio-Signature"])
    assert not validator.validate(url + "?x=1", params, headers["X-Twilio-Signature"])


def test_programmable_messaging_records_the_text(client, twilio_emulator):
    message = client.messages.create(to=PHONE, from_="+15005550001", body="Your token: 123456")
    assert message.status == "queued"
    assert twilio_emulator.messages[-1]["body"] == "Your token: 123456"


def test_every_response_so_far_matches_the_spec(service, twilio_emulator):
    service.verifications.create(to=PHONE, channel="sms")
    assert validate_exchanges(twilio_emulator) == 1


def test_the_spec_check_catches_an_invented_field_or_status():
    base = {"sid": "YC" + "a" * 32, "status": "pending"}
    path = "/v2/Services/VA" + "a" * 32 + "/Entities/someone1/Challenges/YC" + "a" * 32
    validate_response("GET", path, 200, base)
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", path, 200, {**base, "answer": "yes"})
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", path, 200, {**base, "status": "accepted"})
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", path, 404, {"message": "no code"})


def test_an_entitys_factors_are_listed_fetched_and_deleted(service, twilio_emulator):
    identity = "user-0000000007"
    phone = twilio_emulator.enroll_device(identity, friendly_name="Pixel 8")
    twilio_emulator.enroll_device("user-0000000008")  # someone else's

    listed = service.entities(identity).factors.list()
    assert [(f.sid, f.friendly_name, f.status) for f in listed] == [
        (phone, "Pixel 8", "verified")
    ]
    assert service.entities(identity).factors(phone).fetch().friendly_name == "Pixel 8"

    assert service.entities(identity).factors(phone).delete() is True
    assert service.entities(identity).factors.list() == []
    with pytest.raises(TwilioRestException) as error:
        service.entities(identity).factors(phone).delete()
    assert (error.value.status, error.value.code) == (404, 20404)
    assert len(service.entities("user-0000000008").factors.list()) == 1
    assert validate_exchanges(twilio_emulator) == 6  # each answer matches the spec


def test_a_factor_is_not_deleted_through_another_entity(service, twilio_emulator):
    phone = twilio_emulator.enroll_device("user-0000000009")
    with pytest.raises(TwilioRestException) as error:
        service.entities("user-0000000010").factors(phone).delete()
    assert error.value.status == 404
    assert phone in twilio_emulator.factors


def test_a_deleted_factors_phone_can_no_longer_answer(service, twilio_emulator):
    identity = "user-0000000011"
    factor_sid = twilio_emulator.enroll_device(identity)
    challenge = service.entities(identity).challenges.create(
        factor_sid=factor_sid, details_message="Sign in"
    )
    service.entities(identity).factors(factor_sid).delete()
    twilio_emulator.approve(challenge.sid)
    assert twilio_emulator.status_of(challenge.sid) == "pending"
