"""The fault switches every emulator shares, seen from an ordinary HTTP client."""

import time

import pytest
import requests

from emulators.authy import API_KEY, AuthyEmulator

HEADERS = {"X-Authy-API-Key": API_KEY}


def status_url(emulator: AuthyEmulator) -> str:
    return emulator.base_url + "/protected/json/users/1/status"


def test_hang_accepts_the_connection_and_never_answers(authy_emulator):
    authy_emulator.faults.hang = True
    with pytest.raises(requests.ReadTimeout):
        requests.get(status_url(authy_emulator), headers=HEADERS, timeout=(1, 0.3))


def test_drip_answers_a_byte_at_a_time_so_a_per_read_timeout_never_fires(authy_emulator):
    authy_emulator.faults.drip = 0.005
    started = time.monotonic()
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=(1, 0.3))
    assert response.status_code == 404
    assert time.monotonic() - started > 0.6


def test_5xx_answers_an_html_error_page(authy_emulator):
    authy_emulator.faults.status_5xx = 503
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=2)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")


def test_429_carries_retry_after(authy_emulator):
    authy_emulator.faults.status_429 = 17
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=2)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "17"
    assert response.json()["error_code"] == "60003"


def test_garbage_is_a_200_that_is_not_json(authy_emulator):
    authy_emulator.faults.garbage = True
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=2)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_error_json_is_the_providers_own_error_body(authy_emulator):
    authy_emulator.faults.error_json = (400, "60027")
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=2)
    assert response.status_code == 400
    assert response.json()["error_code"] == "60027"
    assert response.json()["success"] is False


def test_refuse_closes_the_port():
    emulator = AuthyEmulator().start()
    url = status_url(emulator)
    emulator.refuse()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=HEADERS, timeout=1)


def test_reset_turns_every_fault_off(authy_emulator):
    authy_emulator.faults.hang = True
    authy_emulator.faults.status_429 = 3
    authy_emulator.faults.reset()
    response = requests.get(status_url(authy_emulator), headers=HEADERS, timeout=2)
    assert response.status_code == 404


def test_emulators_listen_on_loopback_only(authy_emulator):
    assert authy_emulator.base_url.startswith("http://127.0.0.1:")
