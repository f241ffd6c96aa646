"""The access-token step the operator's Verify Push app needs to enrol a phone."""

import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import reauth
from tests.signing_in import verified_by

URL = "/twofactor/push/enrollment/"


@pytest.fixture
def password_only(client, demo_world):
    """Globex's tech: signed in with the password alone (Globex has 2FA off)."""
    person = demo_world["tech@globex.example"]
    client.force_login(person)
    return person


def verified(client, method: str, *, factor_age: int = 0, password_age: int = 0) -> None:
    """The session proved ``method`` ``factor_age`` seconds ago and the password
    ``password_age`` seconds ago, as a sign-in leaves it."""
    now = int(time.time())
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "twofactor.phonedevice/1"
    verified_by(session, method, seconds_ago=factor_age)
    session[reauth.SESSION_KEY] = now - password_age
    session.save()


@pytest.fixture
def signed_in(client, password_only):
    """The same person in a session confirmed a moment ago by an SMS token."""
    verified(client, "sms")
    return password_only


@pytest.mark.parametrize(
    ("method", "factor_age", "password_age", "needs"),
    [
        ("backup_code", 0, 0, "factor"),  # one backup code is not a factor
        ("sms", 11 * 60, 0, "factor"),  # the factor is older than 10 minutes
        ("push", 0, 11 * 60, "password"),  # the password is older than 10 minutes
    ],
)
def test_enrolling_an_app_needs_a_fresh_password_and_a_fresh_factor_other_than_a_backup_code(
    client, twilio, twilio_emulator, password_only, method, factor_age, password_age, needs
):
    verified(client, method, factor_age=factor_age, password_age=password_age)

    response = client.post(URL)

    assert response.status_code == 403 and response.json()["needs"] == needs
    assert not any("AccessTokens" in e.request.path for e in twilio_emulator.exchanges)


def test_a_signed_in_person_gets_an_access_token_for_their_own_identity(
    client, twilio, twilio_emulator, signed_in
):
    person = signed_in
    response = client.post(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["identity"] == f"user-{person.pk:08d}"
    assert data["service_sid"] == twilio_emulator.service_sid
    assert data["access_token"].count(".") == 2
    assert response["Cache-Control"] == "no-store"


def test_nobody_signed_in_gets_nothing(client, twilio, twilio_emulator):
    response = client.post(URL)
    assert response.status_code == 302
    assert twilio_emulator.exchanges == []


def test_a_session_that_still_owes_its_second_factor_gets_nothing(
    client, twilio, twilio_emulator, demo_world
):
    client.force_login(demo_world["tech@acme.example"])  # Acme requires a second factor
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"
    assert not any("AccessTokens" in e.request.path for e in twilio_emulator.exchanges)


def test_a_password_alone_cannot_enrol_an_app_that_would_approve_sign_ins(
    client, twilio, twilio_emulator, password_only
):
    response = client.post(URL)

    assert response.status_code == 403
    assert "password" in response.json()["error"]
    assert twilio_emulator.exchanges == []


def test_only_with_twilio_verify(client, authy, signed_in):
    assert client.post(URL).status_code == 404


def test_a_provider_outage_is_a_clear_503(client, twilio, twilio_emulator, signed_in):
    twilio_emulator.faults.status_5xx = 502
    response = client.post(URL)
    assert response.status_code == 503
    assert "not answering" in response.json()["error"]
