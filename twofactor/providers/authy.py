"""The ``authy`` provider: the Authy API through the ``authy`` library.

The library's traps, and what this module does about them:

- it sets no timeout: every request goes through :mod:`twofactor.providers.http` under the
  whole-call deadline, by resources whose ``request`` uses that bounded session;
- it never raises on HTTP errors: answers are read here, and success is read from the body as
  Authy defines it (``"token": "is valid"`` with HTTP 200 for a token, ``success`` true and the
  expected fields elsewhere), never from an HTTP status alone;
- ``OneTouchResponse.status()`` is the success flag, not the approval status: the status is
  read from ``approval_request.status``;
- it quotes the token into the verify URL without stopping ``/`` or ``..``: tokens and ids are
  checked against the formats Authy issues before any call (:mod:`twofactor.providers.inputs`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import phonenumbers
import requests
from authy.api import AuthyApiClient
from authy.api.resources import OneTouch, Tokens, Users

from twofactor.conf import conf
from twofactor.providers import http
from twofactor.providers.base import (
    ApprovalDetails,
    ApprovalStatus,
    CallbackAnswer,
    ErrorKind,
    InvalidCallback,
    Provider,
    ProviderError,
)
from twofactor.providers.breaker import guarded_call
from twofactor.providers.inputs import checked_ref, is_token
from twofactor.providers.signing import public_url

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

AUTHY_ID = r"[0-9]{1,12}"
REQUEST_UUID = r"[0-9a-fA-F-]{8,64}"
ERROR_TOKEN_INVALID = "60020"
ERROR_USER_NOT_FOUND = "60026"
MAX_STRING = 200  # Authy truncates message and details at 200 characters


class _Bounded:
    """Resource mix-in: the library's request, sent through the bounded session."""

    api_uri: str
    api_key: str
    def_headers: dict[str, str]
    http_session: requests.Session

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> requests.Response:
        headers = {**self.def_headers, **(headers or {}), "X-Authy-API-Key": self.api_key}
        url = self.api_uri + path
        if method == "GET":
            return self.http_session.request(
                method, url, headers=headers, params=data or {}, allow_redirects=False
            )
        return self.http_session.request(
            method, url, headers=headers, data=json.dumps(data or {}), allow_redirects=False
        )


class _Users(_Bounded, Users):
    pass


class _Tokens(_Bounded, Tokens):
    pass


class _OneTouch(_Bounded, OneTouch):
    pass


def authy_client(api_key: str, api_url: str, session: requests.Session) -> AuthyApiClient:
    """An ``AuthyApiClient`` whose users, tokens and OneTouch calls use ``session``."""
    client = AuthyApiClient(api_key, api_uri=api_url)
    for name, resource_class in (("users", _Users), ("tokens", _Tokens), ("one_touch", _OneTouch)):
        resource = resource_class(api_url, api_key)
        resource.http_session = session
        setattr(client, name, resource)
    return client


def _body(response: Any) -> dict[str, Any]:
    """The JSON object of an answer (http.py already refused non-JSON bodies)."""
    content = response.content
    if not isinstance(content, dict):
        raise ProviderError(ErrorKind.BAD_RESPONSE, "answer is not a JSON object")
    return content


def _success(body: dict[str, Any]) -> bool:
    return body.get("success") in (True, "true")


def _refused(body: dict[str, Any]) -> ProviderError:
    code = body.get("error_code")
    return ProviderError(
        ErrorKind.REJECTED,
        str(body.get("message", ""))[:MAX_STRING],
        code=None if code is None else str(code),
    )


class AuthyProvider(Provider):
    name = "authy"
    app_name = "the Authy app"
    independent_methods = False  # SMS and OneTouch both go through Authy
    polled_for_answers = True  # callbacks can be missed: the poll asks as well
    help_note = (
        "Authy's desktop apps and its own phone-change page ended in 2024: use the mobile "
        "app, and change your number here."
    )

    def __init__(self) -> None:
        self.api_key = conf.AUTHY_API_KEY
        self.client = authy_client(
            self.api_key,
            conf.AUTHY_API_URL.rstrip("/"),
            http.session(float(conf.PROVIDER_TIMEOUT_SECONDS)),
        )

    # -- people ----------------------------------------------------------------------------

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            raise ProviderError(ErrorKind.REJECTED, "phone number is not E.164") from None
        with guarded_call(self.name):
            answer = self.client.users.create(
                user.email,
                str(number.national_number),
                number.country_code,
                send_install_link_via_sms=send_install_link,
            )
        body = _body(answer)
        if answer.response.status_code != 200 or not _success(body):
            raise _refused(body)
        authy_id = (body.get("user") or {}).get("id")
        if not isinstance(authy_id, int) or isinstance(authy_id, bool) or authy_id <= 0:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "no Authy id in the answer")
        return str(authy_id)

    def unregister(self, ref: str) -> None:
        authy_id = checked_ref(ref, AUTHY_ID, "Authy id")
        with guarded_call(self.name):
            answer = self.client.users.delete(authy_id)
        body = _body(answer)
        if answer.response.status_code == 404 or body.get("error_code") == ERROR_USER_NOT_FOUND:
            return
        if answer.response.status_code != 200 or not _success(body):
            raise _refused(body)

    # -- SMS tokens ------------------------------------------------------------------------

    def send_sms(self, user: User, ref: str, phone: str, *, attempt_id: str) -> None:
        authy_id = checked_ref(ref, AUTHY_ID, "Authy id")
        with guarded_call(self.name):
            # force: text even when the person has the Authy app (the seed's "Send SMS token").
            answer = self.client.users.request_sms(authy_id, {"force": "true"})
        body = _body(answer)
        if answer.response.status_code != 200 or not _success(body):
            raise _refused(body)

    def check_token(self, user: User, ref: str, phone: str, token: str, *, attempt_id: str) -> bool:
        if not is_token(token, min_digits=6, max_digits=10):
            return False  # never sent: only digits Authy could have issued go out
        authy_id = checked_ref(ref, AUTHY_ID, "Authy id")
        with guarded_call(self.name):
            answer = self.client.tokens.verify(authy_id, token, {"force": "true"})
        body = _body(answer)
        status = answer.response.status_code
        if status == 200 and body.get("token") == "is valid" and _success(body):
            return True
        if status == 401 and str(body.get("error_code")) == ERROR_TOKEN_INVALID:
            return False
        if status == 200:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "200 without 'token is valid'")
        raise _refused(body)

    # -- OneTouch ----------------------------------------------------------------------------

    def create_approval(self, user: User, ref: str, approval: ApprovalDetails) -> str:
        authy_id = int(checked_ref(ref, AUTHY_ID, "Authy id"))
        with guarded_call(self.name):
            answer = self.client.one_touch.send_request(
                authy_id,
                approval.message[:MAX_STRING],
                seconds_to_expire=approval.expires_in,
                details=dict(approval.details),
                hidden_details=dict(approval.hidden_details),
            )
        body = _body(answer)
        if answer.response.status_code != 200 or not _success(body):
            raise _refused(body)
        request_uuid = (body.get("approval_request") or {}).get("uuid")
        if not isinstance(request_uuid, str) or not re.fullmatch(REQUEST_UUID, request_uuid):
            raise ProviderError(ErrorKind.BAD_RESPONSE, "no approval request uuid")
        return request_uuid

    def approval_status(self, ref: str, request_ref: str) -> ApprovalStatus:
        request_uuid = checked_ref(request_ref, REQUEST_UUID, "approval request id")
        with guarded_call(self.name):
            answer = self.client.one_touch.get_approval_status(request_uuid)
        body = _body(answer)
        if answer.response.status_code != 200 or not _success(body):
            raise _refused(body)
        approval = body.get("approval_request") or {}
        owner = approval.get("_authy_id")
        if owner is not None and str(owner) != ref:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "approval request of another person")
        try:
            return ApprovalStatus(approval.get("status"))
        except ValueError:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "unknown approval status") from None

    # -- callbacks ---------------------------------------------------------------------------

    def parse_callback(self, request: HttpRequest) -> CallbackAnswer:
        signature = request.headers.get("X-Authy-Signature", "")
        nonce = request.headers.get("X-Authy-Signature-Nonce", "")
        if not signature or not nonce:
            raise InvalidCallback("unsigned")
        if not re.fullmatch(r"[0-9]{1,12}", nonce, flags=re.ASCII):
            raise InvalidCallback("malformed nonce")
        if abs(time.time() - int(nonce)) > conf.CALLBACK_MAX_AGE_SECONDS:
            raise InvalidCallback("old nonce")
        try:
            params = json.loads(request.body)
            if not isinstance(params, dict) or not params:
                raise InvalidCallback("body is not a JSON object")
            url = public_url(request)
            expected = authy_signature(self.api_key, nonce, request.method or "POST", url, params)
        except (ValueError, RecursionError):  # not JSON, or nested deep enough to exhaust us
            raise InvalidCallback("body is not a JSON object") from None
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise InvalidCallback("wrong signature")
        request_uuid = params.get("uuid")
        if not isinstance(request_uuid, str) or not re.fullmatch(REQUEST_UUID, request_uuid):
            raise InvalidCallback("no approval request id")
        try:
            status = ApprovalStatus(params.get("status"))
        except ValueError:
            raise InvalidCallback("unknown status") from None
        return CallbackAnswer(request_uuid, status, replay_key=f"{nonce}:{signature}")


def authy_signature(api_key: str, nonce: str, method: str, url: str, params: dict) -> str:
    """Authy's ``X-Authy-Signature``: HMAC-SHA256 over nonce|method|url|sorted params.

    The parameters are flattened like PHP's ``http_build_query`` with Authy's quirks (list
    indexes dropped, ``True``/``False`` lowercased except inside lists, ``None`` empty),
    exactly as the ``authy`` library's ``validate_one_touch_signature`` does.
    """
    query = "&".join(
        sorted(_flatten(params, "").replace("/", "%2F").replace("%20", "+").split("&"))
    )
    query = re.sub(r"%5B([0-9])*%5D", "%5B%5D", query)
    query = re.sub(r"=None", "=", query)
    data = f"{nonce}|{method}|{url}|{query}"
    return base64.b64encode(
        hmac.new(api_key.encode(), data.encode(), hashlib.sha256).digest()
    ).decode()


def _flatten(params: dict, prefix: str) -> str:
    parts = []
    for key, value in params.items():
        name = prefix + quote("[" + key + "]") if prefix else quote(key)
        if type(value) is dict:
            parts.append(_flatten(value, name))
        elif type(value) is list:
            for index, item in enumerate(value):
                item_name = name + quote(f"[{index}]")
                if type(item) is dict:
                    parts.append(_flatten(item, item_name))
                else:
                    parts.append(f"{item_name}={quote(str(item))}&")
        elif type(value) is bool:
            parts.append(f"{name}={quote(str(value).lower())}&")
        else:
            parts.append(f"{name}={quote(str(value))}&")
    result = "".join(parts)
    return result[:-1] if not prefix and result.endswith("&") else result
