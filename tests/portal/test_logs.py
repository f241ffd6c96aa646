"""Structured logs: with LOG_FORMAT=json one JSON line per request and per security event,
sharing the request's id (the proxy's X-Request-ID when sane, else a new one, echoed back);
no query string and no single-use link token ever reaches a log line."""

import io
import json
import logging
import re

import pytest

from portal.logs import JsonFormatter, RequestIdFilter
from tests.portal.test_production_settings import run
from tests.signing_in import enter_password


@pytest.fixture
def json_lines():
    """The portal's log lines as LOG_FORMAT=json writes them (settings.py's handler)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("portal.request", "portal.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_one_json_line_per_request_with_the_proxys_request_id(client, db, json_lines):
    response = client.get("/login/?next=/manage/&email=secret@acme.example",
                          HTTP_X_REQUEST_ID="edge-7f3a9c")

    assert response["X-Request-ID"] == "edge-7f3a9c"
    [line] = json_lines()
    assert line["logger"] == "portal.request"
    assert line["request_id"] == "edge-7f3a9c"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/login/", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00") and line["level"] == "INFO"
    assert "secret" not in json.dumps(line)  # the query string stays out


@pytest.mark.parametrize("sent", ["a b", "x\r\nSet-Cookie: y=1", "é", "9" * 129, ""])
def test_an_odd_request_id_is_replaced_by_a_new_one(client, db, json_lines, sent):
    response = client.get("/login/", HTTP_X_REQUEST_ID=sent)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert json_lines()[0]["request_id"] == response["X-Request-ID"]


def test_a_security_event_is_logged_with_the_requests_id(
    client, demo_world, json_lines, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = enter_password(client, password="wrong-password-1")

    event = next(line for line in json_lines() if line["logger"] == "portal.security")
    assert event["event"] == "account:login:password_refused"
    assert event["request_id"] == response["X-Request-ID"]
    assert event["ip"] == "127.0.0.1"
    assert "wrong-password-1" not in json.dumps(json_lines())


def test_a_single_use_link_token_is_not_logged(client, db, json_lines):
    token = "c2r8xz-0123456789abcdef0123456789abcdef"
    client.get(f"/email/password-reset/MQ/{token}/")

    [line] = json_lines()
    assert token not in json.dumps(line)
    assert line["path"] == "/email/password-reset/MQ/[redacted]/"
    assert line["route"] == "email/password-reset/<uidb64>/<token>/"


LOG_A_LINE = """
import django, logging
django.setup()
from portal import logs
with logs.request_scope("rid-42"):
    logs.security_event("account:login:signed_in", method="sms")
    logging.getLogger("twofactor").warning("a provider %s", "failed")
"""


def test_log_format_json_writes_each_line_as_one_json_object_with_the_request_id():
    result = run(["-c", LOG_A_LINE], {"LOG_FORMAT": "json"})

    assert result.returncode == 0, result.stderr
    event, warning = (json.loads(line) for line in result.stderr.strip().splitlines()[-2:])
    assert event["event"] == "account:login:signed_in" and event["method"] == "sms"
    assert event["request_id"] == warning["request_id"] == "rid-42"
    assert warning["message"] == "a provider failed" and warning["level"] == "WARNING"


def test_text_logs_leave_out_the_per_event_lines_and_a_wrong_log_format_stops_start_up():
    text = run(["-c", LOG_A_LINE], {"LOG_FORMAT": "text"})
    wrong = run(["-c", LOG_A_LINE], {"LOG_FORMAT": "xml"})

    assert text.returncode == 0 and text.stderr.strip() == "a provider failed"
    assert wrong.returncode != 0 and "LOG_FORMAT must be text or json" in wrong.stderr
