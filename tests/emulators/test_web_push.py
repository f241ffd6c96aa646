"""The loopback Web Push service: its RFC 8291 decoder against the RFC's own example, and
the checks it makes on every push (VAPID, encoding, TTL), driven by hand-made requests so
they hold whatever the portal's sender does."""

import json
import time

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid.jwt import sign

from emulators import ece
from emulators.web_push import WebPushService, b64url, b64url_decode

# RFC 8291 Appendix A: the user agent's keys, the auth secret and the message it receives.
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg"
RFC_BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)
PLAINTEXT = b"When I grow up, I want to be a watermelon"


def key_from(raw: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(raw), "big"), ec.SECP256R1())


def test_the_decoder_opens_rfc_8291_appendix_a():
    body = b64url_decode(RFC_BODY)
    assert ece.decrypt(body, key_from(UA_PRIVATE), b64url_decode(AUTH_SECRET)) == PLAINTEXT


@pytest.mark.parametrize("where", [0, 30, 100, -1])  # salt, sender key, ciphertext, tag
def test_the_decoder_refuses_the_example_with_one_bit_changed(where):
    body = bytearray(b64url_decode(RFC_BODY))
    body[where] ^= 0x01
    with pytest.raises(ece.DecryptError):
        ece.decrypt(bytes(body), key_from(UA_PRIVATE), b64url_decode(AUTH_SECRET))


def test_the_decoder_refuses_another_auth_secret():
    with pytest.raises(ece.DecryptError, match="does not decrypt"):
        ece.decrypt(b64url_decode(RFC_BODY), key_from(UA_PRIVATE), b"\x00" * 16)


@pytest.fixture
def service():
    with WebPushService() as running:
        yield running


def public_k(key: ec.EllipticCurvePrivateKey) -> str:
    """The key as VAPID's ``k`` carries it: the uncompressed point, b64url."""
    return b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


SERVER_KEY = ec.generate_private_key(ec.SECP256R1())
SERVER_K = public_k(SERVER_KEY)


def push(service, subscription, payload=b"request 42", *, claims=None, key=SERVER_KEY, k=None,
         headers=None, body=None):
    """POST a push as an application server would, with any part overridden."""
    claims = {"sub": "mailto:ops@portal.example", "aud": service.base_url,
              "exp": int(time.time()) + 3600} if claims is None else claims
    if body is None:
        body = http_ece.encrypt(
            payload, private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=b64url_decode(subscription["keys"]["p256dh"]),
            auth_secret=b64url_decode(subscription["keys"]["auth"]), version="aes128gcm",
        )
    sent = {
        "Authorization": f"vapid t={sign(claims, key)}, k={k or SERVER_K}",
        "Content-Encoding": "aes128gcm", "TTL": "120", "Urgency": "high", "Topic": "person-7",
        **(headers or {}),
    }
    sent = {name: value for name, value in sent.items() if value is not None}
    return requests.post(subscription["endpoint"], data=body, headers=sent, timeout=5,
                         allow_redirects=False)


def test_a_well_made_push_is_accepted_and_kept_decrypted(service):
    subscription = service.new_subscription()
    answer = push(service, subscription)

    assert answer.status_code == 201
    assert answer.headers["Location"].startswith(service.base_url + "/message/")
    [message] = service.messages(subscription["endpoint"])
    assert message.payload == b"request 42"
    assert (message.ttl, message.urgency, message.topic) == (120, "high", "person-7")
    assert message.claims["aud"] == service.base_url
    assert message.vapid_key == SERVER_K


def test_the_subscription_looks_like_the_browsers_to_json(service):
    subscription = service.new_subscription()
    assert subscription["endpoint"].startswith(f"http://127.0.0.1:{service.port}/push/")
    assert subscription["expirationTime"] is None
    assert len(b64url_decode(subscription["keys"]["p256dh"])) == 65
    assert len(b64url_decode(subscription["keys"]["auth"])) == 16


def now():
    return int(time.time())


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"headers": {"Authorization": None}}, 401, "Authorization must be"),
        ({"headers": {"Authorization": "WebPush abc"}}, 401, "Authorization must be"),
        ({"k": public_k(ec.generate_private_key(ec.SECP256R1()))}, 403,
         "signature does not verify"),
        ({"claims": {"sub": "mailto:a@b.example", "aud": "http://127.0.0.1:1",
                     "exp": 60}}, 403, "aud must be"),
        ({"claims": {"sub": "mailto:a@b.example", "aud": "AUD", "exp": -1}}, 403,
         "exp must be"),
        ({"claims": {"sub": "mailto:a@b.example", "aud": "AUD", "exp": 25 * 3600}},
         403, "exp must be"),
        ({"claims": {"aud": "AUD", "exp": 60}}, 403, "sub must be"),
        ({"claims": {"sub": "ops@portal.example", "aud": "AUD", "exp": 60}}, 403,
         "sub must be"),
        ({"headers": {"Content-Encoding": "aesgcm"}}, 400, "aes128gcm"),
        ({"headers": {"TTL": None}}, 400, "TTL"),
        ({"headers": {"TTL": "soon"}}, 400, "TTL"),
        ({"headers": {"Urgency": "urgent"}}, 400, "Urgency"),
        ({"headers": {"Topic": "a" * 33}}, 400, "Topic"),
        ({"body": b"\x00" * 120}, 400, "does not decrypt"),
        ({"body": b"\x00" * 5000}, 413, "over 4096"),
    ],
)
def test_a_push_that_breaks_a_rule_is_refused_with_the_reason(service, change, status, reason):
    subscription = service.new_subscription()
    if "claims" in change:  # exp is given from now: the test may run minutes after collection
        claims = {**change["claims"], "exp": now() + change["claims"]["exp"]}
        if claims["aud"] == "AUD":
            claims["aud"] = service.base_url
        change = {"claims": claims}
    answer = push(service, subscription, **change)

    assert answer.status_code == status
    assert reason in answer.json()["message"]
    assert service.messages() == []


def test_a_push_signed_with_another_key_than_the_subscription_was_made_with_is_refused(service):
    subscription = service.new_subscription(application_server_key=SERVER_K)
    assert push(service, subscription).status_code == 201
    other = ec.generate_private_key(ec.SECP256R1())
    answer = push(service, subscription, key=other, k=public_k(other))
    assert answer.status_code == 403
    assert len(service.messages()) == 1


def test_an_unknown_subscription_is_404(service):
    subscription = service.new_subscription()
    subscription["endpoint"] = service.base_url + "/push/nobody"
    assert push(service, subscription).status_code == 404


@pytest.mark.parametrize(
    ("status", "extra", "header"),
    [
        (404, {}, None),
        (410, {}, None),
        (429, {"retry_after": 30}, ("Retry-After", "30")),
        (503, {}, None),
        (307, {"location": "http://127.0.0.1:1/x"}, ("Location", "http://127.0.0.1:1/x")),
    ],
)
def test_an_endpoint_can_be_switched_to_answer_like_a_dead_busy_or_moved_one(
    service, status, extra, header
):
    subscription = service.new_subscription()
    service.answer_with(subscription["endpoint"], status, **extra)
    answer = push(service, subscription)

    assert answer.status_code == status
    if header:
        assert answer.headers[header[0]] == header[1]
    assert service.messages() == []
    service.answer_normally(subscription["endpoint"])
    assert push(service, subscription).status_code == 201


def test_the_error_body_is_json_with_the_status_and_reason(service):
    answer = push(service, service.new_subscription(), headers={"TTL": None})
    assert json.loads(answer.content)["code"] == 400
    assert "TTL" in json.loads(answer.content)["message"]
