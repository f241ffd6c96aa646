"""Each sign-in request pushed to the phones, through the loopback Web Push service (which
checks the VAPID JWT and decrypts with its own RFC 8291 decoder)."""

import json

import pytest
from django.test import Client

from emulators.web_push import WebPushService
from tests.signing_in import enter_password, latest_approval
from tests.twofactor.methods.portal_app.conftest import paired_phone
from twofactor.methods.push.portal_app import vapid
from twofactor.methods.push.portal_app.models import AppPhone, Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(settings):
    settings.WEB_PUSH_ALLOW_LOOPBACK = True
    with WebPushService() as running:
        yield running


def subscribed(phone, service) -> dict:
    subscription = service.new_subscription(application_server_key=vapid.public_key_b64url())
    response = phone.subscribe(subscription)
    assert response.status_code == 200, response.content
    return subscription


def test_each_paired_phone_gets_a_minimal_encrypted_push(desktop, service):
    iphone, ipad = paired_phone(desktop, "iPhone"), paired_phone(desktop, "iPad")
    endpoints = [subscribed(iphone, service)["endpoint"], subscribed(ipad, service)["endpoint"]]
    browser = Client()
    enter_password(browser)
    approval = latest_approval(browser)
    for endpoint in endpoints:
        [message] = service.messages(endpoint)
        assert json.loads(message.payload) == {"request": str(approval.pk)}  # nothing else
        assert message.urgency == "high" and message.topic
        expires_in = (approval.expires_at - approval.created_at).total_seconds()
        assert 0 < message.ttl <= expires_in
        assert message.claims["sub"].startswith("mailto:")
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_a_gone_subscription_is_marked_and_security_says_so(desktop, service):
    phone = paired_phone(desktop)
    endpoint = subscribed(phone, service)["endpoint"]
    service.answer_with(endpoint, 410)
    browser = Client()
    enter_password(browser)
    assert AppPhone.objects.get().push == AppPhone.Push.GONE
    assert "Stopped" in desktop.get("/security/").content.decode()
    [listed] = phone.pending()  # the app still works when opened
    assert listed["id"] == str(latest_approval(browser).pk)


def test_a_busy_push_service_is_left_alone_for_a_while(desktop, service):
    phone = paired_phone(desktop)
    endpoint = subscribed(phone, service)["endpoint"]
    service.answer_with(endpoint, 429, retry_after=120)
    enter_password(Client())
    assert AppPhone.objects.get().push_retry_at is not None
    service.answer_normally(endpoint)
    enter_password(Client())
    assert service.messages(endpoint) == []  # still backing off
    assert Delivery.objects.filter(state=Delivery.State.BACK_OFF).count() == 2


def test_a_subscription_off_the_allow_list_is_refused(desktop, settings):
    phone = paired_phone(desktop)
    settings.WEB_PUSH_ALLOW_LOOPBACK = False
    response = phone.subscribe({"endpoint": "https://push.evil.example/x",
                                "keys": {"p256dh": vapid.public_key_b64url(),
                                         "auth": "AAAAAAAAAAAAAAAAAAAAAA"}})
    assert response.status_code == 400 and "push" in response.json()["error"].lower()
    assert AppPhone.objects.get().endpoint == ""


def test_a_loopback_subscription_is_refused_outside_development(desktop, service, settings):
    phone = paired_phone(desktop)
    settings.WEB_PUSH_ALLOW_LOOPBACK = False
    response = phone.subscribe(service.new_subscription())
    assert response.status_code == 400
    assert AppPhone.objects.get().push == AppPhone.Push.NONE


def test_the_password_step_waits_at_most_the_deadline_for_a_hanging_push_service(
    desktop, service, settings
):
    import time

    phone = paired_phone(desktop)
    subscribed(phone, service)
    settings.WEB_PUSH_DEADLINE_SECONDS = 1
    service.faults.hang = True
    started = time.monotonic()
    assert enter_password(Client())["Location"] == "/login/verify/"
    assert time.monotonic() - started < 2.5
    service.faults.reset()
