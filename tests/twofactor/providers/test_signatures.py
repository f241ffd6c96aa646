"""Signature oracles: the portal's callback checks agree with the providers' own code."""

import pytest
from authy.api.resources import OneTouch
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from twofactor.providers.authy import authy_signature
from twofactor.providers.twilio_verify import signature_is_valid

API_KEY = "sEcReT-aPi-KeY"
URL = "https://portal.example/twofactor/callbacks/authy/"

AUTHY_BODIES = [
    {"uuid": "abc", "status": "approved"},
    {
        "authy_id": 1234,
        "status": "denied",
        "approval_request": {
            "transaction": {
                "details": {"Email": "a b@example.com", "Path": "/x/y?z=1&w=2"},
                "hidden_details": {"attempt": "ünïcode ✓"},
                "flagged": False,
                "encrypted": True,
                "requester_details": None,
                "device_signing_time": 1700000000,
                "score": 0.5,
            },
            "logos": None,
            "expiration_timestamp": 1700000120,
        },
    },
    {
        "uuid": "u",
        "list": ["a", "b c", 3, True, None],
        "list_of_dicts": [{"res": "default", "url": "https://x/y.png"}, {"res": "low"}],
        "nested": {"deeper": {"deepest": ["x", {"k": "v"}]}},
        "10": {"0": "numeric keys"},
        "empty": {},
        "empty_list": [],
    },
]


@pytest.mark.parametrize("body", AUTHY_BODIES)
def test_authy_signature_agrees_with_the_authy_librarys_own_check(body):
    library = OneTouch("https://api.authy.com", API_KEY)
    nonce = "1700000000"
    ours = authy_signature(API_KEY, nonce, "POST", URL, body)
    assert library.validate_one_touch_signature(ours, nonce, "POST", URL, body) is True
    other = authy_signature("another key", nonce, "POST", URL, body)
    assert library.validate_one_touch_signature(other, nonce, "POST", URL, body) is False
    moved = authy_signature(API_KEY, nonce, "POST", URL + "x", body)
    assert library.validate_one_touch_signature(moved, nonce, "POST", URL, body) is False


def test_twilio_published_vector_is_reproduced(settings):
    """https://www.twilio.com/docs/usage/webhooks/webhooks-security, auth token 12345."""
    settings.PUBLIC_BASE_URL = "https://mycompany.com"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert (
        RequestValidator("12345").compute_signature(
            "https://mycompany.com/myapp.php?foo=1&bar=2", params
        )
        == expected
    )
    # Received behind a proxy as http://testserver/...: checked against the public URL.
    request = RequestFactory().post(
        "/myapp.php?foo=1&bar=2", params, headers={"X-Twilio-Signature": expected}
    )
    assert signature_is_valid(request, "12345")
    assert not signature_is_valid(request, "54321")
    moved = RequestFactory().post(
        "/myapp.php?foo=1", params, headers={"X-Twilio-Signature": expected}
    )
    assert not signature_is_valid(moved, "12345")
