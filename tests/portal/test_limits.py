"""Soft limits in the shared cache: texts, pushes and password guesses. Each trip says when
to try again, answers HTTP 429 and is audited."""

import re

import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from portal import limits
from tests.concurrency import needs_postgresql, race
from tests.conftest import PASSWORD
from tests.signing_in import enter_password, send_sms


def test_a_second_text_within_the_cool_down_is_refused_with_when_to_retry(pending, sms_outbox):
    assert send_sms(pending).status_code == 302

    response = send_sms(pending)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 30
    assert "You can ask again in" in response.content.decode()
    assert len(sms_outbox) == 1
    event = AuditEvent.objects.get(tag="account:two_factor:sms_throttled")
    assert event.data == {"limit": "sms.user"}


def test_the_cool_down_is_per_number_too(client, demo_world, sms_outbox):
    User.objects.filter(email="admin@acme.example").update(phone="+12015550102")
    enter_password(client)
    send_sms(client)
    other = Client()
    enter_password(other, "admin@acme.example")

    response = send_sms(other)

    assert response.status_code == 429
    assert AuditEvent.objects.filter(data__limit="sms.number").exists()


@pytest.mark.parametrize(
    ("limit", "texts_allowed"),
    [("sms.user.hour", 2), ("sms.ip", 2), ("sms.portal.day", 2)],
)
def test_hourly_per_address_and_daily_portal_caps(pending, sms_outbox, settings, limit,
                                                  texts_allowed):
    settings.TWOFACTOR_RATE_LIMITS = {
        "sms.user": (100, 30), "sms.number": (100, 30), limit: (texts_allowed, 3600)
    }
    for _ in range(texts_allowed):
        assert send_sms(pending).status_code == 302

    response = send_sms(pending)

    assert response.status_code == 429
    assert "Too many text messages" in response.content.decode()
    assert len(sms_outbox) == texts_allowed
    assert AuditEvent.objects.filter(data__limit=limit).exists()


def test_password_guessing_is_limited_per_account(client, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"login.account": (3, 900)}
    for _ in range(3):
        assert client.post("/login/", {"email": "tech@globex.example",
                                       "password": "guess"}).status_code == 200

    response = client.post("/login/", {"email": "Tech@Globex.example ", "password": PASSWORD})

    assert response.status_code == 429
    said = r"this block ends at \d\d:\d\d:\d\d UTC, in \d+ (seconds|minutes): try again then"
    assert re.search(said, response.content.decode())
    assert 0 < int(response["Retry-After"]) <= 900
    assert 'value="Tech@Globex.example' in response.content.decode()  # the form comes back
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(tag="account:login:throttled").exists()


def test_password_guessing_is_limited_per_address_across_accounts(client, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"login.ip": (4, 900)}
    for n in range(4):
        client.post("/login/", {"email": f"person{n}@globex.example", "password": "guess"})

    response = client.post("/login/", {"email": "tech@globex.example", "password": PASSWORD})

    assert response.status_code == 429


def test_a_limit_counts_events_atomically_in_the_shared_cache(db, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (3, 600)}
    for _ in range(3):
        limits.hit("push.user", 7)

    with pytest.raises(limits.RateLimited) as tripped:
        limits.hit("push.user", 7)

    assert tripped.value.name == "push.user" and 0 < tripped.value.retry_after <= 600
    limits.hit("push.user", 8)  # another person has their own count


def test_a_cool_down_is_measured_from_the_last_event(db):
    limits.hit("sms.user", 7)

    with pytest.raises(limits.RateLimited) as tripped:
        limits.hit("sms.user", 7)

    assert 29 <= tripped.value.retry_after <= 30


@pytest.mark.parametrize(
    ("seconds", "text"), [(30, "30 seconds"), (240, "4 minutes"), (7200, "2 hours")]
)
def test_the_wait_reads_naturally(seconds, text):
    assert limits.RateLimited("x", seconds).wait_text == text


def test_a_refund_gives_the_event_back(db, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (2, 600)}
    for _ in range(5):  # five events, each refunded: none of them counts
        limits.reserve([("push.user", 7)]).refund()

    limits.reserve([("push.user", 7)])
    limits.reserve([("push.user", 7)])
    with pytest.raises(limits.RateLimited):
        limits.reserve([("push.user", 7)])


def test_a_reservation_refused_by_one_limiter_counts_against_none(db, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (1, 600), "sms.ip": (3, 600)}
    limits.reserve([("sms.ip", "a"), ("push.user", 7)])
    for _ in range(5):  # push.user is full: refused, and sms.ip gets its count back
        with pytest.raises(limits.RateLimited) as tripped:
            limits.reserve([("sms.ip", "a"), ("push.user", 7)])
        assert tripped.value.name == "push.user"

    limits.hit("sms.ip", "a")
    limits.hit("sms.ip", "a")
    with pytest.raises(limits.RateLimited):
        limits.hit("sms.ip", "a")


def test_a_refund_after_the_window_ended_does_not_credit_the_next_window(db, settings,
                                                                         time_travel):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (2, 600)}
    early = limits.reserve([("push.user", 7)])
    time_travel(600)
    limits.hit("push.user", 7)
    limits.hit("push.user", 7)

    early.refund()

    with pytest.raises(limits.RateLimited):
        limits.hit("push.user", 7)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_reservations_never_pass_the_cap(settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (5, 600)}

    def reserve():
        try:
            limits.reserve([("push.user", 7)])
        except limits.RateLimited:
            return "refused"
        return "reserved"

    outcomes = race(reserve, 20)

    assert outcomes.count("reserved") == 5 and outcomes.count("refused") == 15


@pytest.mark.django_db
def test_held_back_reads_a_limit_without_counting(settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (2, 600), "sms.user": (1, 30)}
    assert limits.held_back("push.user", 7) is None
    limits.hit("push.user", 7)
    assert limits.held_back("push.user", 7) is None  # asking counted nothing
    limits.hit("push.user", 7)
    held = limits.held_back("push.user", 7)
    assert held is not None and 0 < held.retry_after <= 600
    assert limits.held_back("push.user", 8) is None
    assert limits.held_back("sms.user", 7) is None
    limits.hit("sms.user", 7)
    assert 0 < limits.held_back("sms.user", 7).retry_after <= 30
