"""The whole-call deadline and the mapping of failures, on a bare bounded session."""

import time

import pytest

from emulators.authy import API_KEY, AuthyEmulator
from emulators.base import Reply
from tests.twofactor.providers.fixtures import SLACK
from twofactor.providers import http
from twofactor.providers.base import ErrorKind, ProviderError

HEADERS = {"X-Authy-API-Key": API_KEY}


def url(emulator: AuthyEmulator) -> str:
    return emulator.base_url + "/protected/json/users/1/status"


def test_a_drip_cannot_outlast_the_deadline(authy_emulator):
    authy_emulator.faults.drip = 0.1  # each byte well inside any per-read timeout
    started = time.monotonic()
    with pytest.raises(ProviderError) as error, http.deadline(0.5):
        http.session().get(url(authy_emulator), headers=HEADERS)
    assert error.value.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 0.5 + SLACK  # the whole answer drips for 10 s


def test_the_deadline_covers_the_whole_call_not_each_request(authy_emulator):
    authy_emulator.faults.delay = 0.3
    session = http.session()
    started = time.monotonic()
    with pytest.raises(ProviderError) as error, http.deadline(0.8):
        for _ in range(5):
            session.get(url(authy_emulator), headers=HEADERS)
    assert error.value.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 0.8 + SLACK


def test_without_an_enclosing_deadline_the_default_applies(authy_emulator):
    authy_emulator.faults.hang = True
    started = time.monotonic()
    with pytest.raises(ProviderError) as error:
        http.session(default_timeout=0.3).get(url(authy_emulator), headers=HEADERS)
    assert error.value.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 0.3 + SLACK


def test_a_huge_answer_is_refused(authy_emulator, monkeypatch):
    huge = Reply(200, {"padding": "x" * (http.MAX_BODY_BYTES + 1)})
    monkeypatch.setattr(authy_emulator, "handle", lambda request: huge)
    with pytest.raises(ProviderError) as error:
        http.session().get(url(authy_emulator), headers=HEADERS)
    assert error.value.kind is ErrorKind.BAD_RESPONSE


def test_a_4xx_error_json_goes_back_to_the_provider(authy_emulator):
    response = http.session().get(url(authy_emulator), headers=HEADERS)
    assert response.status_code == 404
    assert response.json()["error_code"] == "60026"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("30", 30), (" 7 ", 7), ("", None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0)],
)
def test_retry_after_is_read_as_seconds_or_a_date(header, seconds):
    assert http.retry_after_seconds(header) == seconds


def test_a_redirect_is_not_followed(authy_emulator, monkeypatch):
    moved = Reply(302, None, {"Location": "https://evil.example/steal"})
    monkeypatch.setattr(authy_emulator, "handle", lambda request: moved)
    with pytest.raises(ProviderError) as error:
        http.session().get(url(authy_emulator), headers=HEADERS, allow_redirects=False)
    assert error.value.kind is ErrorKind.BAD_RESPONSE
    assert len(authy_emulator.exchanges) == 1
