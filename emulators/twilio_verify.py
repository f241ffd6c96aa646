"""A loopback Twilio Verify v2 (plus Programmable Messaging's Messages.json).

Written from Twilio's OpenAPI description (``spec/twilio_verify_v2.json``): the paths, form
parameters and response fields are the spec's, and the tests validate every response this
emulator sends against the spec's schemas (``emulators/spec.py``). Basic auth with the
account SID and auth token, Twilio's error JSON (``code``, ``message``, ``more_info``,
``status``).

Test-side control (no HTTP): :meth:`TwilioVerifyEmulator.last_code` (the SMS "sent"),
:meth:`TwilioVerifyEmulator.enroll_device` (what the operator's app does with the Verify Push
SDK), :meth:`TwilioVerifyEmulator.approve` / :meth:`TwilioVerifyEmulator.deny` (the person
answering on the phone), :meth:`TwilioVerifyEmulator.signed_webhook` /
:meth:`TwilioVerifyEmulator.post_webhook` (a challenge webhook signed with
``X-Twilio-Signature`` by ``twilio.request_validator``).

On the device side the Verify Push SDK updates a challenge with an ``AuthPayload`` JWT signed
by the factor's key; the emulator reads the ``status`` claim and does not check the key.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

import requests
from twilio.request_validator import RequestValidator

from emulators.base import Emulator, Reply, Request

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "0123456789abcdef" * 2
SERVICE_SID = "VA" + "0" * 31 + "1"
MAX_CHECKS = 5
CODE_LIFETIME = 600


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TwilioVerifyEmulator(Emulator):
    """One Twilio account with one Verify service."""

    name = "twilio_verify"
    rate_limit_code = 20429

    def __init__(
        self,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        service_sid: str = SERVICE_SID,
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.service_sid = service_sid
        self.verifications: dict[str, dict[str, Any]] = {}  # by To
        self.codes: dict[str, list[str]] = {}  # every code texted, by To
        self.entities: dict[str, dict[str, Any]] = {}  # by identity
        self.factors: dict[str, dict[str, Any]] = {}
        self.challenges: dict[str, dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []
        self.outbox: list[tuple[str, str]] = []  # (recipient, code), oldest first

    # -- HTTP ----------------------------------------------------------------------------

    def error_reply(self, status: int, code: int | str, message: str = "") -> Reply:
        code = int(code)
        body = {
            "code": code,
            "message": message or "Error",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return Reply(status, body)

    def _not_found(self, request: Request) -> Reply:
        return self.error_reply(404, 20404, f"The requested resource {request.path} was not found")

    def handle(self, request: Request) -> Reply:
        if not self._authenticated(request):
            return self.error_reply(401, 20003, "Authenticate")
        for pattern, method, action in self._routes:
            match = re.fullmatch(pattern, request.path)
            if match and request.method == method:
                owner, args = match.group(1), match.groups()[1:]
                if owner not in (self.service_sid, self.account_sid):
                    return self._not_found(request)
                return action(self, request, *args)
        return self._not_found(request)

    def _authenticated(self, request: Request) -> bool:
        auth = request.header("Authorization") or ""
        if not auth.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == (self.account_sid, self.auth_token)

    def _url(self, path: str) -> str:
        return f"https://verify.twilio.com/v2/Services/{self.service_sid}/{path}"

    # Verifications (SMS) --------------------------------------------------------------------

    def _verification(self, v: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": v["sid"],
            "service_sid": self.service_sid,
            "account_sid": self.account_sid,
            "to": v["to"],
            "channel": v["channel"],
            "status": v["status"],
            "valid": v["status"] == "approved",
            "lookup": {},
            "amount": None,
            "payee": None,
            "send_code_attempts": [
                {"time": _iso(t), "channel": "sms", "attempt_sid": new_sid("VL")} for t in v["sent"]
            ],
            "date_created": _iso(v["created"]),
            "date_updated": _iso(v["updated"]),
            "sna": None,
            "url": self._url(f"Verifications/{v['sid']}"),
        }

    def _create_verification(self, request: Request) -> Reply:
        to = request.form_value("To") or ""
        channel = request.form_value("Channel") or ""
        if not re.fullmatch(r"\+[1-9][0-9]{6,14}", to):
            return self.error_reply(400, 60200, "Invalid parameter `To`")
        if channel != "sms":
            return self.error_reply(400, 60200, "Invalid parameter `Channel`")
        now = time.time()
        v = self.verifications.get(to)
        if v is None or v["status"] != "pending" or now - v["created"] > CODE_LIFETIME:
            v = {
                "sid": new_sid("VE"),
                "to": to,
                "channel": channel,
                "status": "pending",
                "created": now,
                "sent": [],
                "checks": 0,
                "code": f"{secrets.randbelow(10**6):06d}",
            }
            self.verifications[to] = v
        v["sent"].append(now)
        v["updated"] = now
        self.codes.setdefault(to, []).append(v["code"])
        self.outbox.append((to, v["code"]))
        return Reply(201, self._verification(v))

    def _check_verification(self, request: Request) -> Reply:
        to = request.form_value("To")
        sid = request.form_value("VerificationSid")
        code = request.form_value("Code") or ""
        v = (
            self.verifications.get(to or "")
            if to
            else next((x for x in self.verifications.values() if x["sid"] == sid), None)
        )
        if v is None or v["status"] != "pending" or time.time() - v["created"] > CODE_LIFETIME:
            return self._not_found(request)
        if v["checks"] >= MAX_CHECKS:
            return self.error_reply(429, 60202, "Max check attempts reached")
        v["checks"] += 1
        v["updated"] = time.time()
        if secrets.compare_digest(code, v["code"]):
            v["status"] = "approved"
        body = self._verification(v)
        for key in ("lookup", "send_code_attempts", "sna", "url"):
            del body[key]
        body["sna_attempts_error_codes"] = []
        return Reply(200, body)

    # Entities, factors, access tokens --------------------------------------------------------

    def _entity_json(self, identity: str) -> dict[str, Any]:
        e = self.entities[identity]
        base = f"Entities/{identity}"
        return {
            "sid": e["sid"],
            "identity": identity,
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "date_created": _iso(e["created"]),
            "date_updated": _iso(e["created"]),
            "url": self._url(base),
            "links": {
                "factors": self._url(f"{base}/Factors"),
                "challenges": self._url(f"{base}/Challenges"),
            },
        }

    def _ensure_entity(self, identity: str) -> None:
        if identity not in self.entities:
            self.entities[identity] = {"sid": new_sid("YE"), "created": time.time()}

    def _create_entity(self, request: Request) -> Reply:
        identity = request.form_value("Identity") or ""
        if not re.fullmatch(r"[A-Za-z0-9-]{8,64}", identity):
            return self.error_reply(400, 60360, "Invalid parameter `Identity`")
        self._ensure_entity(identity)
        return Reply(201, self._entity_json(identity))

    def _fetch_entity(self, request: Request, identity: str) -> Reply:
        if identity not in self.entities:
            return self._not_found(request)
        return Reply(200, self._entity_json(identity))

    def _delete_entity(self, request: Request, identity: str) -> Reply:
        if identity not in self.entities:
            return self._not_found(request)
        del self.entities[identity]
        for sid in [s for s, f in self.factors.items() if f["identity"] == identity]:
            del self.factors[sid]
        return Reply(204)

    def _factor_json(self, sid: str, *, new: bool = False) -> dict[str, Any]:
        f = self.factors[sid]
        body = {
            "sid": sid,
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "entity_sid": self.entities[f["identity"]]["sid"],
            "identity": f["identity"],
            "date_created": _iso(f["created"]),
            "date_updated": _iso(f["created"]),
            "friendly_name": f["friendly_name"],
            "status": f["status"],
            "factor_type": "push",
            "config": f["config"],
            "metadata": None,
            "url": self._url(f"Entities/{f['identity']}/Factors/{sid}"),
        }
        if new:
            body["binding"] = f["binding"]
            body["options"] = None
        return body

    def _create_factor(self, request: Request, identity: str) -> Reply:
        if request.form_value("FactorType") != "push" or not request.form_value("FriendlyName"):
            return self.error_reply(400, 60200, "Invalid parameter `FactorType`")
        self._ensure_entity(identity)
        sid = new_sid("YF")
        self.factors[sid] = {
            "identity": identity,
            "friendly_name": request.form_value("FriendlyName"),
            "status": "unverified",
            "created": time.time(),
            "binding": {
                "alg": request.form_value("Binding.Alg", "ES256"),
                "public_key": request.form_value("Binding.PublicKey", ""),
            },
            "config": {
                "sdk_version": request.form_value("Config.SdkVersion", "1.0"),
                "app_id": request.form_value("Config.AppId", ""),
                "notification_platform": request.form_value("Config.NotificationPlatform", "fcm"),
                "notification_token": request.form_value("Config.NotificationToken", ""),
            },
        }
        return Reply(201, self._factor_json(sid, new=True))

    def _verify_factor(self, request: Request, identity: str, sid: str) -> Reply:
        factor = self.factors.get(sid)
        if factor is None or factor["identity"] != identity:
            return self._not_found(request)
        if request.form_value("AuthPayload"):
            factor["status"] = "verified"
        return Reply(200, self._factor_json(sid))

    def _fetch_factor(self, request: Request, identity: str, sid: str) -> Reply:
        factor = self.factors.get(sid)
        if factor is None or factor["identity"] != identity:
            return self._not_found(request)
        return Reply(200, self._factor_json(sid))

    def _delete_factor(self, request: Request, identity: str, sid: str) -> Reply:
        factor = self.factors.get(sid)
        if factor is None or factor["identity"] != identity:
            return self._not_found(request)
        del self.factors[sid]
        return Reply(204)

    def _list_factors(self, request: Request, identity: str) -> Reply:
        sids = [s for s, f in self.factors.items() if f["identity"] == identity]
        url = self._url(f"Entities/{identity}/Factors?PageSize=50&Page=0")
        meta = {
            "first_page_url": url,
            "key": "factors",
            "next_page_url": None,
            "page": 0,
            "page_size": 50,
            "previous_page_url": None,
            "url": url,
        }
        return Reply(200, {"factors": [self._factor_json(s) for s in sids], "meta": meta})

    def _create_access_token(self, request: Request) -> Reply:
        identity = request.form_value("Identity") or ""
        if request.form_value("FactorType") != "push" or not identity:
            return self.error_reply(400, 60200, "Invalid parameter `FactorType`")
        sid = new_sid("YK")
        ttl = int(request.form_value("Ttl") or 60)
        claims = {"sub": identity, "svc": self.service_sid, "exp": int(time.time()) + ttl}
        token = (
            ".".join(
                base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=")
                for p in ({"alg": "HS256", "typ": "JWT"}, claims)
            )
            + "."
            + secrets.token_urlsafe(32)
        )
        body = {
            "sid": sid,
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "entity_identity": identity,
            "factor_type": "push",
            "factor_friendly_name": request.form_value("FactorFriendlyName"),
            "token": token,
            "url": self._url(f"AccessTokens/{sid}"),
            "ttl": ttl,
            "date_created": _iso(time.time()),
        }
        return Reply(201, body)

    # Challenges (push) ---------------------------------------------------------------------

    def _challenge_json(self, sid: str) -> dict[str, Any]:
        c = self.challenges[sid]
        status = self.status_of(sid)
        base = f"Entities/{c['identity']}/Challenges/{sid}"
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "entity_sid": self.entities[c["identity"]]["sid"],
            "identity": c["identity"],
            "factor_sid": c["factor_sid"],
            "date_created": _iso(c["created"]),
            "date_updated": _iso(c.get("responded") or c["created"]),
            "date_responded": _iso(c["responded"]) if c.get("responded") else None,
            "expiration_date": _iso(c["expires"]),
            "status": status,
            "responded_reason": "none",
            "details": c["details"],
            "hidden_details": c["hidden_details"],
            "metadata": None,
            "factor_type": "push",
            "url": self._url(base),
            "links": {"notifications": self._url(f"{base}/Notifications")},
        }

    def _create_challenge(self, request: Request, identity: str) -> Reply:
        factor = self.factors.get(request.form_value("FactorSid") or "")
        if factor is None or factor["identity"] != identity:
            return self._not_found(request)
        if factor["status"] != "verified":
            return self.error_reply(400, 60315, "Factor is not verified")
        message = request.form_value("Details.Message")
        if not message:
            return self.error_reply(400, 60200, "Invalid parameter `Details.Message`")
        now = time.time()
        expires = now + 300
        if request.form_value("ExpirationDate"):
            expiry = request.form_value("ExpirationDate").replace("Z", "+00:00")
            expires = min(datetime.fromisoformat(expiry).timestamp(), now + 3600)
        fields = [json.loads(f) for f in request.form.get("Details.Fields", [])]
        hidden = json.loads(request.form_value("HiddenDetails") or "{}")
        sid = new_sid("YC")
        self.challenges[sid] = {
            "identity": identity,
            "factor_sid": request.form_value("FactorSid"),
            "created": now,
            "expires": expires,
            "status": "pending",
            "details": {"message": message, "date": _iso(now), "fields": fields},
            "hidden_details": hidden,
        }
        return Reply(201, self._challenge_json(sid))

    def _fetch_challenge(self, request: Request, identity: str, sid: str) -> Reply:
        challenge = self.challenges.get(sid)
        if challenge is None or challenge["identity"] != identity:
            return self._not_found(request)
        return Reply(200, self._challenge_json(sid))

    def _update_challenge(self, request: Request, identity: str, sid: str) -> Reply:
        challenge = self.challenges.get(sid)
        if challenge is None or challenge["identity"] != identity:
            return self._not_found(request)
        payload = request.form_value("AuthPayload") or ""
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload.split(".")[1] + "=="))
            status = claims["status"]
        except (IndexError, ValueError, KeyError, TypeError):
            return self.error_reply(400, 60318, "Invalid parameter `AuthPayload`")
        if status not in ("approved", "denied"):
            return self.error_reply(400, 60318, "Invalid parameter `AuthPayload`")
        self._answer_challenge(sid, status)
        return Reply(200, self._challenge_json(sid))

    # Programmable Messaging (api.twilio.com) -------------------------------------------------

    def _create_message(self, request: Request) -> Reply:
        to, body = request.form_value("To") or "", request.form_value("Body") or ""
        sender = request.form_value("From") or request.form_value("MessagingServiceSid")
        if not re.fullmatch(r"\+[1-9][0-9]{6,14}", to):
            return self.error_reply(
                400, 21211, f"The 'To' number {to} is not a valid phone number."
            )
        if not sender:
            return self.error_reply(400, 21603, "A 'From' phone number is required.")
        sid = new_sid("SM")
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        message = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": to,
            "from": sender,
            "body": body,
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "api_version": "2010-04-01",
            "messaging_service_sid": request.form_value("MessagingServiceSid"),
            "num_media": "0",
            "subresource_uris": {},
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        self.messages.append(message)
        return Reply(201, message)

    _S = r"/v2/Services/([^/]+)"
    _routes = [
        (_S + r"/Verifications", "POST", _create_verification),
        (_S + r"/VerificationCheck", "POST", _check_verification),
        (_S + r"/Entities", "POST", _create_entity),
        (_S + r"/Entities/([^/]+)", "GET", _fetch_entity),
        (_S + r"/Entities/([^/]+)", "DELETE", _delete_entity),
        (_S + r"/Entities/([^/]+)/Factors", "POST", _create_factor),
        (_S + r"/Entities/([^/]+)/Factors", "GET", _list_factors),
        (_S + r"/Entities/([^/]+)/Factors/([^/]+)", "POST", _verify_factor),
        (_S + r"/Entities/([^/]+)/Factors/([^/]+)", "GET", _fetch_factor),
        (_S + r"/Entities/([^/]+)/Factors/([^/]+)", "DELETE", _delete_factor),
        (_S + r"/Entities/([^/]+)/Challenges", "POST", _create_challenge),
        (_S + r"/Entities/([^/]+)/Challenges/([^/]+)", "GET", _fetch_challenge),
        (_S + r"/Entities/([^/]+)/Challenges/([^/]+)", "POST", _update_challenge),
        (_S + r"/AccessTokens", "POST", _create_access_token),
        (r"/2010-04-01/Accounts/([^/]+)/Messages\.json", "POST", _create_message),
    ]

    # -- test-side control -----------------------------------------------------------------

    def status_of(self, challenge_sid: str) -> str:
        c = self.challenges[challenge_sid]
        if c["status"] == "pending" and time.time() > c["expires"]:
            c["status"] = "expired"
        return c["status"]

    def last_code(self, to: str) -> str | None:
        sent = self.codes.get(to)
        return sent[-1] if sent else None

    def enroll_device(self, identity: str, friendly_name: str = "Test phone") -> str:
        """Create and verify a push factor, as the operator's app does with the SDK."""
        with self._lock:
            self._ensure_entity(identity)
            sid = new_sid("YF")
            self.factors[sid] = {
                "identity": identity,
                "friendly_name": friendly_name,
                "status": "verified",
                "created": time.time(),
                "binding": {"alg": "ES256", "public_key": ""},
                "config": {
                    "sdk_version": "1.0",
                    "app_id": "com.example.portal",
                    "notification_platform": "fcm",
                    "notification_token": "t",
                },
            }
            return sid

    def pending_challenges(self, identity: str) -> list[str]:
        return [
            s
            for s, c in self.challenges.items()
            if c["identity"] == identity and self.status_of(s) == "pending"
        ]

    def number_to_match(self, challenge_sid: str) -> str:
        """The number in the challenge's hidden details, which the operator's app checks."""
        return str(self.challenges[challenge_sid]["hidden_details"].get("match_number", ""))

    def approve(self, challenge_sid: str) -> None:
        with self._lock:
            self._answer_challenge(challenge_sid, "approved")

    def deny(self, challenge_sid: str) -> None:
        with self._lock:
            self._answer_challenge(challenge_sid, "denied")

    def _answer_challenge(self, challenge_sid: str, status: str) -> None:
        """Only an enrolled app can sign an answer: a deleted factor's phone cannot."""
        factor_sid = self.challenges[challenge_sid]["factor_sid"]
        if self.status_of(challenge_sid) == "pending" and factor_sid in self.factors:
            self.challenges[challenge_sid]["status"] = status
            self.challenges[challenge_sid]["responded"] = time.time()

    def webhook_params(self, challenge_sid: str) -> dict[str, str]:
        """The form fields Verify POSTs to a service webhook for a challenge event."""
        c = self.challenges[challenge_sid]
        status = self.status_of(challenge_sid)
        return {
            "uuid": str(uuidlib.uuid4()),
            "type": f"challenge.{status}",
            "account_sid": self.account_sid,
            "service_sid": self.service_sid,
            "entity_identity": c["identity"],
            "factor_sid": c["factor_sid"],
            "factor_type": "push",
            "factor_friendly_name": self.factors.get(c["factor_sid"], {}).get("friendly_name", ""),
            "challenge_sid": challenge_sid,
            "challenge_details": json.dumps(c["details"]),
            "challenge_hidden_details": json.dumps(c["hidden_details"]),
            "challenge_metadata": "{}",
            "challenge_status": status,
        }

    def signed_webhook(self, url: str, challenge_sid: str) -> tuple[dict[str, str], dict[str, str]]:
        """Form fields and headers of a challenge webhook, signed like Twilio signs them."""
        params = self.webhook_params(challenge_sid)
        headers = {
            "X-Twilio-Signature": RequestValidator(self.auth_token).compute_signature(url, params),
            "I-Twilio-Idempotency-Token": params["uuid"],
        }
        return params, headers

    def post_webhook(self, url: str, challenge_sid: str, timeout: float = 5) -> requests.Response:
        params, headers = self.signed_webhook(url, challenge_sid)
        return requests.post(url, data=params, headers=headers, timeout=timeout)
