"""The portal's VAPID key: read from PEM or a raw value, derived in development (and the same
at every start), refused when unreadable; and the start-up checks that stop production
without one."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.core.checks import run_checks

from emulators.web_push import b64url, b64url_decode
from twofactor.methods.push.portal_app import vapid

KEY = ec.generate_private_key(ec.SECP256R1())
RAW = b64url(KEY.private_numbers().private_value.to_bytes(32, "big"))
PEM = KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
PUBLIC = b64url(KEY.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


@pytest.mark.parametrize(
    "text", [RAW, PEM, PEM.replace("\n", "\\n")], ids=["raw", "pem", "pem-on-one-line"]
)
def test_the_key_is_read_from_a_raw_value_or_pem(settings, text):
    settings.VAPID_PRIVATE_KEY = text
    assert vapid.public_key_b64url() == PUBLIC


def test_the_application_server_key_is_an_uncompressed_point_without_padding(settings):
    settings.VAPID_PRIVATE_KEY = RAW
    key = vapid.public_key_b64url()
    assert "=" not in key and len(key) == 87
    assert b64url_decode(key)[0] == 4 and len(b64url_decode(key)) == 65


def test_development_derives_a_stable_key_from_the_secret_key(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = True, ""
    first = vapid.public_key_b64url()
    assert vapid.public_key_b64url() == first
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    assert vapid.public_key_b64url() != first


def test_production_never_derives_one(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = False, ""
    with pytest.raises(vapid.KeyProblem, match="not set"):
        vapid.private_key()


@pytest.mark.parametrize("text", [
    "not a key", b64url(b"\x00" * 32), b64url(b"\xff" * 32), b64url(b"\x01" * 31),
    "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----",
    ec.generate_private_key(ec.SECP384R1()).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode(),
], ids=["words", "zero", "over-the-order", "31-bytes", "broken-pem", "p384-pem"])
def test_an_unreadable_key_is_refused_without_showing_it(settings, text):
    settings.VAPID_PRIVATE_KEY = text
    with pytest.raises(vapid.KeyProblem) as problem:
        vapid.private_key()
    assert text not in str(problem.value)


def check_ids() -> dict[str, str]:
    """What Django's registered checks say (so a check that is not hooked up fails here)."""
    return {m.id: m.msg for m in run_checks() if m.id.startswith("twofactor.E04")}


def test_production_without_a_key_stops_start_up(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = False, ""
    settings.VAPID_SUBJECT = "mailto:security@portal.example"
    assert check_ids() == {"twofactor.E040": "VAPID_PRIVATE_KEY is not set."}


def test_an_unreadable_key_stops_start_up_in_development_too(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = True, "not a key"
    assert "twofactor.E040" in check_ids()


@pytest.mark.parametrize("subject", [
    "security@portal.example", "http://portal.example", "mailto:", "", "https://",
])
def test_a_subject_that_is_not_mailto_or_https_stops_start_up(settings, subject):
    settings.VAPID_SUBJECT = subject
    assert "twofactor.E041" in check_ids()


@pytest.mark.parametrize("subject", [
    "mailto:security@localhost", "https://localhost", "mailto:ops@portal.invalid",
])
def test_production_refuses_a_subject_apple_refuses(settings, subject):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT = False, RAW, subject
    assert "Apple" in check_ids()["twofactor.E041"]


def test_a_configured_production_passes(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = False, PEM
    settings.VAPID_SUBJECT = "mailto:security@portal.example"
    assert check_ids() == {}


def test_development_needs_nothing_set(settings):
    settings.DEBUG, settings.VAPID_PRIVATE_KEY = True, ""
    settings.VAPID_SUBJECT = "mailto:security@localhost"
    assert check_ids() == {}
