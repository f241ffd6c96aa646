"""A ``twilio`` REST client that talks through the bounded session of
:mod:`twofactor.providers.http` (whole-call deadline, failures mapped), and can be pointed
at another address (``TWILIO_VERIFY_BASE_URL``, ``TWILIO_MESSAGING_BASE_URL``) for the
loopback emulators."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from twofactor.conf import conf
from twofactor.providers import http
from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.providers.breaker import guarded_call

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


@contextmanager
def twilio_call(breaker: str) -> Iterator[None]:
    """One call behind ``breaker``; Twilio's error JSON becomes REJECTED with its code, an
    answer the library cannot read becomes BAD_RESPONSE."""
    with guarded_call(breaker):
        try:
            yield
        except TwilioRestException as error:
            raise ProviderError(
                ErrorKind.REJECTED, str(error.msg)[:200], code=str(error.code)
            ) from error
        except TwilioException as error:
            raise _page_error(error) from error
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderError(ErrorKind.BAD_RESPONSE, type(error).__name__) from error


def _page_error(error: TwilioException) -> ProviderError:
    """A list call's error: the library raises "Unable to fetch page" with the response
    rather than a TwilioRestException; Twilio's error JSON in it is REJECTED with its code."""
    response = error.args[1] if len(error.args) > 1 else None
    if isinstance(response, Response):
        try:
            body = json.loads(response.text)
        except ValueError:
            body = None
        if isinstance(body, dict) and "code" in body:
            return ProviderError(
                ErrorKind.REJECTED, str(body.get("message", ""))[:200], code=str(body["code"])
            )
    return ProviderError(ErrorKind.BAD_RESPONSE, type(error).__name__)
