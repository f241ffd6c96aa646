"""Sending a push to the phone app: what reaches the (loopback) push service, what each of
its answers means to the portal, and the endpoints a push must never go to."""

import os
import socket
import time
from dataclasses import dataclass

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from emulators.web_push import WebPushService, b64url, b64url_decode
from twofactor.methods.push.portal_app import vapid, webpush
from twofactor.methods.push.portal_app.webpush import Outcome


@dataclass
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def subscribed(service: WebPushService, **kwargs) -> Subscription:
    made = service.new_subscription(**kwargs)
    return Subscription(made["endpoint"], made["keys"]["p256dh"], made["keys"]["auth"])


@pytest.fixture
def service(settings):
    """The loopback push service, in development (pytest-django turns DEBUG off): the only
    mode that sends to a loopback http:// endpoint."""
    settings.WEB_PUSH_ALLOW_LOOPBACK = True
    with WebPushService() as running:
        yield running


def send(subscription, payload=b'{"request": 42}', **kwargs):
    return webpush.send(subscription, payload, **{"ttl": 120, "topic": "person-7", **kwargs})


# -- what the push service receives ------------------------------------------------------


def test_a_push_arrives_decrypted_with_its_ttl_urgency_topic_and_signed_claims(service, settings):
    settings.VAPID_SUBJECT = "mailto:security@portal.example"
    subscription = subscribed(service, application_server_key=vapid.public_key_b64url())

    delivery = send(subscription)

    assert delivery.outcome is Outcome.SENT and delivery.status == 201
    [message] = service.messages(subscription.endpoint)
    assert message.payload == b'{"request": 42}'
    assert (message.ttl, message.urgency) == (120, "high")
    assert message.topic == webpush.topic_for("person-7")
    assert len(message.topic) <= 32 and "person" not in message.topic
    assert message.claims["aud"] == service.base_url
    assert message.claims["sub"] == "mailto:security@portal.example"
    assert time.time() < message.claims["exp"] <= time.time() + 24 * 3600
    assert message.vapid_key == vapid.public_key_b64url()


def test_each_push_service_gets_a_token_for_its_own_origin(service):
    with WebPushService() as other:
        first, second = subscribed(service), subscribed(other)
        assert send(first).outcome is Outcome.SENT
        assert send(second).outcome is Outcome.SENT
        assert send(first).outcome is Outcome.SENT
        assert [m.claims["aud"] for m in other.messages()] == [other.base_url]
    assert [m.claims["aud"] for m in service.messages()] == [service.base_url] * 2


def test_the_urgency_can_be_lowered(service):
    subscription = subscribed(service)
    send(subscription, urgency="normal")
    assert service.messages()[0].urgency == "normal"


def test_the_senders_library_makes_rfc_8291_appendix_a_byte_for_byte():
    """http_ece, given the example's sender key and salt, writes the RFC's exact message."""
    d = b64url_decode
    ua = ec.derive_private_key(
        int.from_bytes(d("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), "big"), ec.SECP256R1()
    )
    sender = ec.derive_private_key(
        int.from_bytes(d("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"), "big"), ec.SECP256R1()
    )
    body = http_ece.encrypt(
        b"When I grow up, I want to be a watermelon", salt=d("DGv6ra1nlYgDCS1FRnbzlw"),
        private_key=sender, dh=ua.public_key(), auth_secret=d("BTBZMqHH6r4Tts7J_aSIgg"),
        version="aes128gcm",
    )
    assert body == d(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
        "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
        "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    )


# -- what each answer means ------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_dead_subscription_is_gone(service, status):
    subscription = subscribed(service)
    service.answer_with(subscription.endpoint, status)
    delivery = send(subscription)
    assert (delivery.outcome, delivery.status) == (Outcome.GONE, status)


def test_429_backs_off_for_the_retry_after_the_service_asks(service):
    subscription = subscribed(service)
    service.answer_with(subscription.endpoint, 429, retry_after=30)
    delivery = send(subscription)
    assert (delivery.outcome, delivery.retry_after) == (Outcome.BACK_OFF, 30)


def test_a_5xx_without_retry_after_backs_off_for_the_default(service):
    subscription = subscribed(service)
    service.answer_with(subscription.endpoint, 500)
    delivery = send(subscription)
    assert delivery.outcome is Outcome.BACK_OFF
    assert delivery.retry_after == webpush.DEFAULT_BACK_OFF_SECONDS


def test_a_redirect_is_refused_and_its_target_receives_nothing(service):
    subscription, target = subscribed(service), subscribed(service)
    service.answer_with(subscription.endpoint, 307, location=target.endpoint)

    delivery = send(subscription)

    assert delivery.outcome is Outcome.REFUSED and "redirect" in delivery.reason
    target_path = target.endpoint.removeprefix(service.base_url)
    assert [e for e in service.exchanges if e.request.path == target_path] == []
    assert service.messages() == []


def test_another_4xx_is_refused_with_the_status(service, settings):
    subscription = subscribed(service, application_server_key="someone-elses-key")
    delivery = send(subscription)
    assert (delivery.outcome, delivery.status) == (Outcome.REFUSED, 403)


def test_a_service_that_never_answers_fails_within_the_timeout(service, settings):
    settings.WEB_PUSH_TIMEOUT_SECONDS = 1
    service.faults.hang = True
    started = time.monotonic()

    delivery = send(subscribed(service))

    assert delivery.outcome is Outcome.FAILED and "No answer within 1 s" in delivery.reason
    assert time.monotonic() - started < 2.5


def test_a_service_that_drips_its_answer_fails_within_the_timeout(service, settings):
    """A byte every half second never trips a per-read timeout of 1 s: the whole call is
    bounded instead (the sign-in that sends waits no longer than that)."""
    settings.WEB_PUSH_TIMEOUT_SECONDS = 1
    service.faults.drip = 0.5
    started = time.monotonic()

    delivery = send(subscribed(service))

    assert delivery.outcome is Outcome.FAILED
    assert time.monotonic() - started < 2.5


def test_a_closed_port_fails_without_raising(service):
    subscription = subscribed(service)
    service.refuse()
    assert send(subscription).outcome is Outcome.FAILED


def test_malformed_keys_from_the_phone_are_refused(service):
    subscription = subscribed(service)
    subscription.p256dh = "bm90IGEgcG9pbnQ"
    assert send(subscription).outcome is Outcome.REFUSED
    assert service.exchanges == []


def test_the_log_names_the_host_and_never_the_payload_keys_or_path(service, caplog):
    subscription = subscribed(service)
    with caplog.at_level("INFO", logger=webpush.__name__):
        send(subscription, payload=b"secret-request-id")
    logged = caplog.text
    assert "127.0.0.1" in logged and "sent" in logged
    for secret in ("secret-request-id", subscription.p256dh, subscription.auth,
                   subscription.endpoint.rsplit("/", 1)[1]):
        assert secret not in logged


# -- endpoints a push must never reach ----------------------------------------------------------


PRODUCTION_KEY = b64url(
    ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
)


@pytest.fixture
def production(settings, monkeypatch):
    """DEBUG off; DNS answers a public address unless a test says otherwise; and any push
    that gets as far as the network is recorded instead of sent."""
    settings.WEB_PUSH_ALLOW_LOOPBACK = False
    settings.VAPID_PRIVATE_KEY = PRODUCTION_KEY
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("142.250.74.42"))
    posted = []

    def post(url, **kwargs):
        posted.append(url)
        raise requests.ConnectionError("recorded, not sent")

    monkeypatch.setattr(webpush._session, "post", post)
    return posted


def to(endpoint: str) -> Subscription:
    """A subscription with real keys, so nothing but the endpoint check stops the push."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )
    return Subscription(endpoint, b64url(point), b64url(os.urandom(16)))


def resolving_to(*addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]
    return getaddrinfo


def test_an_allowed_host_with_public_addresses_passes_in_production(production):
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc",
                     "https://web.push.apple.com/QGx", "https://updates.push.services.mozilla.com/wpush/v2/x",
                     "https://wns2-par02p.notify.windows.com/w/?token=x"):
        assert webpush.endpoint_problem(endpoint) is None, endpoint


@pytest.mark.parametrize("endpoint", [
    "https://push.attacker.example/fcm/send/abc",
    "https://fcm.googleapis.com.attacker.example/x",
    "https://evilfcm.googleapis.com/x",
    "https://push.apple.com.evil.example/x",
])
def test_an_endpoint_off_the_allow_list_is_refused_before_any_byte_is_sent(production, endpoint):
    delivery = send(to(endpoint))
    assert delivery.outcome is Outcome.REFUSED and "not a known push service" in delivery.reason
    assert production == []


def test_http_is_refused_in_production_before_any_byte_is_sent(production):
    delivery = send(to("http://fcm.googleapis.com/fcm/send/abc"))
    assert delivery.outcome is Outcome.REFUSED and "https://" in delivery.reason
    assert production == []


@pytest.mark.parametrize("address", [
    "10.0.0.5", "127.0.0.1", "169.254.169.254", "192.168.1.1", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "fd00::1", "::ffff:10.0.0.5",
])
def test_a_host_resolving_to_a_private_address_is_refused_before_any_byte_is_sent(
    production, monkeypatch, address
):
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("142.250.74.42", address))
    delivery = send(to("https://fcm.googleapis.com/fcm/send/abc"))
    assert delivery.outcome is Outcome.REFUSED and "not public" in delivery.reason
    assert production == []


def test_the_address_is_checked_again_at_every_send(production, settings, monkeypatch):
    settings.WEB_PUSH_HOSTS = ["push.example"]
    subscription = to("https://push.example/push/x")
    assert send(subscription).outcome is Outcome.FAILED  # public: it went out (recorded)
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("10.1.2.3"))  # DNS changed

    assert "not public" in send(subscription).reason
    assert production == ["https://push.example/push/x"]


def test_a_host_that_does_not_resolve_is_refused(production, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror("Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    assert "cannot be found" in webpush.endpoint_problem("https://fcm.googleapis.com/x")


@pytest.mark.parametrize(("endpoint", "reason"), [
    ("https://user:pw@fcm.googleapis.com/x", "user name"),
    ("https://fcm.googleapis.com:8443/x", "standard https port"),
    ("ftp://fcm.googleapis.com/x", "https://"),
    ("not a url", "no host"),
    ("https://[::1/x", "not a valid URL"),
])
def test_odd_endpoints_are_refused_with_a_reason(production, endpoint, reason):
    assert reason in webpush.endpoint_problem(endpoint)


def test_the_loopback_push_service_is_refused_in_production_and_gets_nothing(service, settings):
    settings.WEB_PUSH_ALLOW_LOOPBACK, settings.VAPID_PRIVATE_KEY = False, PRODUCTION_KEY
    delivery = send(subscribed(service))
    assert delivery.outcome is Outcome.REFUSED
    assert service.exchanges == []


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:8765/push/x", "http://localhost:8765/push/x", "http://[::1]:8765/push/x",
])
def test_development_accepts_a_loopback_http_endpoint(settings, endpoint):
    settings.WEB_PUSH_ALLOW_LOOPBACK = True
    assert webpush.endpoint_problem(endpoint) is None


def test_development_still_refuses_other_http_endpoints(settings):
    settings.WEB_PUSH_ALLOW_LOOPBACK = True
    assert webpush.endpoint_problem("http://10.0.0.5:8765/push/x") is not None


def test_production_without_a_key_fails_to_send_without_raising(production, settings):
    settings.VAPID_PRIVATE_KEY = ""
    delivery = send(to("https://fcm.googleapis.com/fcm/send/abc"))
    assert (delivery.outcome, delivery.reason) == (Outcome.FAILED, "VAPID_PRIVATE_KEY is not set.")
    assert production == []


def test_send_checks_its_own_arguments():
    subscription = Subscription("http://127.0.0.1:1/push/x", "p", "a")
    for bad in ({"urgency": "now"}, {"ttl": -1}):
        with pytest.raises(ValueError):
            send(subscription, **bad)
    with pytest.raises(ValueError):
        send(subscription, payload=b"x" * 4000)


def test_requests_is_what_sends(service):
    assert isinstance(webpush._session, requests.Session)
