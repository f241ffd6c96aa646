"""A loopback Authy API, written from Authy's documentation and the ``authy`` library.

Paths, the ``X-Authy-API-Key`` header, parameters and response bodies are the ones the
``authy`` 2.2.6 client sends and reads (``authy/api/resources.py``). Paths are normalised
like a real web server does (``/verify/../sms/1`` is ``/sms/1``), so the 2015 client bypass
can be reproduced. Test-side control (no HTTP): :meth:`AuthyEmulator.approve`,
:meth:`AuthyEmulator.deny`, :meth:`AuthyEmulator.last_sms_token` and
:meth:`AuthyEmulator.signed_callback` / :meth:`AuthyEmulator.post_callback`, which sign a
OneTouch callback exactly like Authy (``X-Authy-Signature``, ``X-Authy-Signature-Nonce``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import posixpath
import re
import secrets
import time
import uuid as uuidlib
from typing import Any

import requests
from authy.api.resources import OneTouch

from emulators.base import Emulator, Reply, Request

TOKEN_LIFETIME = 600
API_KEY = "EmulatorAuthyApiKey0123456789abc"  # well-formed: 32 letters and digits


class AuthyEmulator(Emulator):
    """The Authy API for one application (one API key)."""

    name = "authy"
    rate_limit_code = "60003"

    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.users: dict[int, dict[str, Any]] = {}
        self.sms: dict[int, list[tuple[str, float]]] = {}
        self.install_links: list[int] = []
        self.outbox: list[tuple[str, str]] = []  # (recipient, token), oldest first
        self.approvals: dict[str, dict[str, Any]] = {}
        self._next_id = 1000

    # -- HTTP ----------------------------------------------------------------------------

    def error_reply(self, status: int, code: int | str, message: str = "") -> Reply:
        message = message or {401: "Invalid API key", 404: "User not found."}.get(status, "Error")
        body = {"message": message, "success": False, "errors": {"message": message}}
        body["error_code"] = str(code)
        return Reply(status, body)

    def handle(self, request: Request) -> Reply:
        if request.header("X-Authy-API-Key") != self.api_key:
            return self.error_reply(401, "60001", "Invalid API key")
        path = posixpath.normpath(request.path)
        for pattern, method, action in self._routes:
            match = re.fullmatch(pattern, path)
            if match and request.method == method:
                return action(self, request, *match.groups())
        return self.error_reply(404, "60000", "Not found")

    def _users_new(self, request: Request) -> Reply:
        data = request.json
        user = data.get("user") or {}
        cellphone = re.sub(r"[\s.-]", "", str(user.get("cellphone", "")))
        country = str(user.get("country_code", ""))
        if not cellphone.isdigit() or not 6 <= len(cellphone) <= 15 or not country.isdigit():
            reply = self.error_reply(400, "60027", "User was not valid")
            reply.body["errors"]["cellphone"] = "is invalid"
            return reply
        authy_id = next(
            (
                known_id
                for known_id, known in self.users.items()
                if (known["cellphone"], known["country_code"]) == (cellphone, country)
            ),
            None,
        )
        if authy_id is not None:  # a phone already registered keeps its id
            self.users[authy_id]["email"] = user.get("email", "")
        else:
            authy_id = self._next_id
            self._next_id += 1
            self.users[authy_id] = {
                "email": user.get("email", ""),
                "cellphone": cellphone,
                "country_code": country,
            }
        if data.get("send_install_link_via_sms"):
            self.install_links.append(authy_id)
        return Reply(
            200,
            {"message": "User created successfully.", "user": {"id": authy_id}, "success": True},
        )

    def _user(self, authy_id: str) -> dict[str, Any] | None:
        return self.users.get(int(authy_id)) if authy_id.isdigit() else None

    def _users_remove(self, request: Request, authy_id: str) -> Reply:
        if self._user(authy_id) is None:
            return self.error_reply(404, "60026")
        del self.users[int(authy_id)]
        return Reply(200, {"message": "User removed from application", "success": True})

    def _users_status(self, request: Request, authy_id: str) -> Reply:
        user = self._user(authy_id)
        if user is None:
            return self.error_reply(404, "60026")
        status = {
            "authy_id": int(authy_id),
            "confirmed": True,
            "registered": False,
            "country_code": int(user["country_code"]),
            "phone_number": "XXX-XXX-" + user["cellphone"][-4:],
            "devices": [],
        }
        return Reply(200, {"status": status, "message": "User status.", "success": True})

    def _sms(self, request: Request, authy_id: str) -> Reply:
        user = self._user(authy_id)
        if user is None:
            return self.error_reply(404, "60026")
        token = f"{secrets.randbelow(10**7):07d}"
        self.sms.setdefault(int(authy_id), []).append((token, time.time()))
        self.outbox.append((f"Authy user {authy_id}", token))
        cellphone = f"+{user['country_code']}-XXX-XXX-XX{user['cellphone'][-2:]}"
        return Reply(
            200, {"success": True, "message": "SMS token was sent", "cellphone": cellphone}
        )

    def _verify(self, request: Request, token: str, authy_id: str) -> Reply:
        if self._user(authy_id) is None:
            return self.error_reply(404, "60026")
        fresh = [
            t for t, at in self.sms.get(int(authy_id), []) if time.time() - at < TOKEN_LIFETIME
        ]
        if token not in fresh:
            reply = self.error_reply(401, "60020", "Token is invalid")
            reply.body["token"] = "is invalid"
            return reply
        return Reply(200, {"message": "Token is valid.", "token": "is valid", "success": "true"})

    def _approval_create(self, request: Request, authy_id: str) -> Reply:
        if self._user(authy_id) is None:
            return self.error_reply(404, "60026")
        data = request.json
        if not data.get("message"):
            return self.error_reply(400, "60000", "Message is required")
        request_uuid = str(uuidlib.uuid4())
        self.approvals[request_uuid] = {
            "authy_id": int(authy_id),
            "message": data["message"],
            "details": data.get("details") or {},
            "hidden_details": data.get("hidden_details") or {},
            "seconds_to_expire": int(data.get("seconds_to_expire") or 86400),
            "created": time.time(),
            "status": "pending",
        }
        return Reply(200, {"approval_request": {"uuid": request_uuid}, "success": True})

    def _approval_status(self, request: Request, request_uuid: str) -> Reply:
        approval = self.approvals.get(request_uuid)
        if approval is None:
            return self.error_reply(404, "60049", "Approval request not found")
        body = {
            "_authy_id": approval["authy_id"],
            "created_at": _iso(approval["created"]),
            "notified": False,
            "processed_at": None,
            "seconds_to_expire": approval["seconds_to_expire"],
            "status": self.status_of(request_uuid),
            "uuid": request_uuid,
        }
        return Reply(200, {"approval_request": body, "success": True})

    _routes = [
        (r"/protected/json/users/new", "POST", _users_new),
        (r"/protected/json/users/([^/]+)/(?:remove|delete)", "POST", _users_remove),
        (r"/protected/json/users/([^/]+)/status", "GET", _users_status),
        (r"/protected/json/sms/([^/]+)", "GET", _sms),
        (r"/protected/json/verify/([^/]+)/([^/]+)", "GET", _verify),
        (r"/onetouch/json/users/([^/]+)/approval_requests", "POST", _approval_create),
        (r"/onetouch/json/approval_requests/([^/]+)", "GET", _approval_status),
    ]

    # -- test-side control -----------------------------------------------------------------

    def status_of(self, request_uuid: str) -> str:
        approval = self.approvals[request_uuid]
        expired = time.time() > approval["created"] + approval["seconds_to_expire"]
        if approval["status"] == "pending" and expired:
            approval["status"] = "expired"
        return approval["status"]

    def number_to_match(self, request_uuid: str) -> str:
        """The number the request shows in its details (the Authy app only displays it)."""
        details = self.approvals[request_uuid]["details"]
        return str(details.get("Number to match", ""))

    def approve(self, request_uuid: str) -> None:
        self._answer_request(request_uuid, "approved")

    def deny(self, request_uuid: str) -> None:
        self._answer_request(request_uuid, "denied")

    def _answer_request(self, request_uuid: str, status: str) -> None:
        with self._lock:
            if self.status_of(request_uuid) == "pending":
                self.approvals[request_uuid]["status"] = status

    def last_sms_token(self, authy_id: int | str) -> str | None:
        sent = self.sms.get(int(authy_id))
        return sent[-1][0] if sent else None

    def pending_requests(self, authy_id: int | str) -> list[str]:
        return [
            u
            for u, a in self.approvals.items()
            if a["authy_id"] == int(authy_id) and self.status_of(u) == "pending"
        ]

    def callback_params(self, request_uuid: str) -> dict[str, Any]:
        """The JSON body Authy POSTs to the OneTouch callback URL for a request."""
        approval = self.approvals[request_uuid]
        status = self.status_of(request_uuid)
        return {
            "authy_id": approval["authy_id"],
            "device_uuid": "d1c2b3a4",
            "callback_action": "approval_request_status",
            "uuid": request_uuid,
            "status": status,
            "approval_request": {
                "transaction": {
                    "details": approval["details"],
                    "device_details": {},
                    "device_geolocation": "",
                    "device_signing_time": int(time.time()),
                    "encrypted": False,
                    "flagged": False,
                    "hidden_details": approval["hidden_details"],
                    "message": approval["message"],
                    "reason": "",
                    "requester_details": None,
                    "status": status,
                    "uuid": request_uuid,
                    "created_at_time": int(approval["created"]),
                },
                "expiration_timestamp": int(approval["created"] + approval["seconds_to_expire"]),
                "logos": None,
            },
        }

    def signed_callback(
        self, url: str, request_uuid: str, *, nonce: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """Body and headers of the callback for ``request_uuid`` as Authy would sign them."""
        params = self.callback_params(request_uuid)
        nonce = nonce or str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Authy-Signature-Nonce": nonce,
            "X-Authy-Signature": sign_callback(self.api_key, nonce, "POST", url, params),
        }
        return json.dumps(params).encode(), headers

    def post_callback(self, url: str, request_uuid: str, timeout: float = 5) -> requests.Response:
        body, headers = self.signed_callback(url, request_uuid)
        return requests.post(url, data=body, headers=headers, timeout=timeout)


def sign_callback(api_key: str, nonce: str, method: str, url: str, params: dict[str, Any]) -> str:
    """Authy's callback signature, with the ``authy`` library's own query canonicalisation."""
    query = OneTouch("", api_key)._OneTouch__make_http_query(params)
    ordered = "&".join(sorted(query.replace("/", "%2F").replace("%20", "+").split("&")))
    ordered = re.sub("\\%5B([0-9])*\\%5D", "%5B%5D", ordered)
    ordered = re.sub("\\=None", "=", ordered)
    data = f"{nonce}|{method}|{url}|{ordered}"
    digest = hmac.new(api_key.encode(), data.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
