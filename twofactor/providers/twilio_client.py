"""A ``twilio`` REST client that talks through the bounded session of
:mod:`twofactor.providers.http` (whole-call deadline, failures mapped), and can be pointed
at another address (``TWILIO_VERIFY_BASE_URL``, ``TWILIO_MESSAGING_BASE_URL``) for the
loopback emulators."""

from __future__ import annotations

import logging

import requests
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from twofactor.conf import conf
from twofactor.providers import http

logger = logging.getLogger("twilio.http_client")


class BoundedHttpClient(HttpClient):
    """``twilio.http.HttpClient`` over a deadline-bounded requests session."""

    def __init__(self, session: requests.Session) -> None:
        super().__init__(logger, is_async=False, timeout=None)
        self.session = session

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        body = {"data": data}
        if headers and headers.get("Content-Type") in ("application/json", "application/scim+json"):
            body = {"json": data}
        response = self.session.request(
            method.upper(),
            url,
            params=params,
            headers=headers,
            auth=auth,
            allow_redirects=allow_redirects,
            **body,
        )
        return Response(response.status_code, response.text, response.headers)


def twilio_client() -> Client:
    """A Twilio client with the configured credentials and base URLs, bounded calls."""
    session = http.session(float(conf.PROVIDER_TIMEOUT_SECONDS))
    client = Client(
        conf.TWILIO_ACCOUNT_SID,
        conf.TWILIO_AUTH_TOKEN,
        http_client=BoundedHttpClient(session),
    )
    client.edge = client.region = None  # no TWILIO_EDGE / TWILIO_REGION rewriting the host
    client.verify.base_url = conf.TWILIO_VERIFY_BASE_URL.rstrip("/")
    client.api.base_url = conf.TWILIO_MESSAGING_BASE_URL.rstrip("/")
    return client
