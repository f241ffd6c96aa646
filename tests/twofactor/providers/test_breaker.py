"""The circuit breaker: a provider that keeps failing is left alone for a while."""

import pytest

from twofactor.providers import breaker
from twofactor.providers.base import ErrorKind, ProviderError


@pytest.fixture
def small_breaker(settings, db):
    settings.PROVIDER_BREAKER_FAILURES = 3
    settings.PROVIDER_BREAKER_WINDOW_SECONDS = 60
    settings.PROVIDER_BREAKER_COOLDOWN_SECONDS = 30
    return settings


def test_after_repeated_failures_the_provider_is_not_called(
    authy, authy_emulator, person, small_breaker
):
    ref = authy.register(person, person.phone)
    authy_emulator.faults.status_5xx = 503
    for _ in range(3):
        with pytest.raises(ProviderError):
            authy.send_sms(person, ref, person.phone, attempt_id="a1")
    calls = len(authy_emulator.exchanges)
    authy_emulator.faults.reset()
    with pytest.raises(ProviderError) as error:
        authy.send_sms(person, ref, person.phone, attempt_id="a1")
    assert error.value.kind is ErrorKind.UNAVAILABLE
    assert 0 < error.value.retry_after <= 30
    assert "Try again in" in error.value.user_message
    assert len(authy_emulator.exchanges) == calls


def test_the_circuit_is_shared_by_every_provider_instance(
    authy, authy_emulator, person, small_breaker
):
    from twofactor.providers.authy import AuthyProvider

    ref = authy.register(person, person.phone)
    authy_emulator.faults.garbage = True
    for _ in range(3):
        with pytest.raises(ProviderError):
            authy.send_sms(person, ref, person.phone, attempt_id="a1")
    with pytest.raises(ProviderError) as error:
        AuthyProvider().send_sms(person, ref, person.phone, attempt_id="a1")  # another worker
    assert error.value.detail == "circuit open"


def test_refusals_and_rate_limits_do_not_open_the_circuit(
    authy, authy_emulator, person, small_breaker
):
    ref = authy.register(person, person.phone)
    authy_emulator.faults.status_429 = 5
    for _ in range(4):
        with pytest.raises(ProviderError):
            authy.send_sms(person, ref, person.phone, attempt_id="a1")
    authy_emulator.faults.reset()
    authy.send_sms(person, ref, person.phone, attempt_id="a1")


def test_after_the_cooldown_one_success_closes_and_one_failure_reopens(small_breaker):
    for _ in range(3):
        breaker.record_failure("p")
    assert breaker.is_open("p")
    breaker.reset("p")
    assert breaker.is_open("p") is None
    for _ in range(3):
        breaker.record_failure("p")
    from django.core.cache import cache

    cache.delete(breaker._key("p", "open_until"))  # the cool-down has passed
    breaker.record_failure("p")
    assert breaker.is_open("p"), "one failure on probation reopens the circuit"
    cache.delete(breaker._key("p", "open_until"))
    breaker.record_success("p")
    breaker.record_failure("p")
    assert breaker.is_open("p") is None


def test_failures_spread_over_more_than_the_window_do_not_open_it(small_breaker):
    small_breaker.PROVIDER_BREAKER_WINDOW_SECONDS = 1
    breaker.record_failure("q")
    breaker.record_failure("q")
    import time

    time.sleep(1.1)
    breaker.record_failure("q")
    assert breaker.is_open("q") is None
