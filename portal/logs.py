"""Structured logs: the request id, and one JSON object a line when ``LOG_FORMAT=json``.

Every request gets an id: the ``X-Request-ID`` the proxy (or client) sent if it looks like
one, otherwise a new one; it is echoed in the response and set on every log line written
while the request is served (``RequestIdFilter``), so a request's line, its security
events and any warning it caused share it. The id lives in a context variable: it is the
only request fact logging needs, and log calls deep in the code then carry it unasked.

Two loggers carry the structured lines: ``portal.request`` (one per request: method, path,
route, status, duration) and ``portal.security`` (one per audit event). settings.py turns
both on for JSON logs only; in text mode gunicorn's access log already has each request.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# What a proxy's id looks like (nginx $request_id, a UUID, AWS's Root=1-...): no spaces,
# quotes or line breaks, so it is safe in a header and a log line as it is.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
# URL parts that are secrets (single-use email links): kept out of the logs.
SECRET_URL_PARTS = {"token"}
MAX_PATH = 500

request_log = logging.getLogger("portal.request")
security_log = logging.getLogger("portal.security")


def request_id_from(given: str | None) -> str:
    """The id sent with the request if it is sane, else a new one."""
    if given and SANE_REQUEST_ID.fullmatch(given):
        return given
    return secrets.token_hex(16)


@contextlib.contextmanager
def request_scope(given: str | None) -> Iterator[str]:
    """Serve one request under its id (yielded)."""
    request_id = request_id_from(given)
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


def loggable_path(request: HttpRequest) -> str:
    """The path without its query string, and with secret URL parts replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_PARTS and isinstance(value, str) and value:
                path = path.replace(value, "[redacted]")
    return path[:MAX_PATH]


def request_answered(request: HttpRequest, status: int, seconds: float) -> None:
    if not request_log.isEnabledFor(logging.INFO):
        return
    path = loggable_path(request)
    match = getattr(request, "resolver_match", None)
    duration_ms = round(seconds * 1000, 1)
    request_log.info(
        "%s %s %s %sms", request.method, path, status, duration_ms,
        extra={"fields": {
            "method": request.method,
            "path": path,
            "route": match.route if match is not None else None,
            "status": status,
            "duration_ms": duration_ms,
        }},
    )


def security_event(tag: str, **fields: Any) -> None:
    security_log.info("%s", tag, extra={"fields": {"event": tag, **fields}})


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` on every line: the id of the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, the line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
