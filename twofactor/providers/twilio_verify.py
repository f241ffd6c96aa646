"""The ``twilio_verify`` provider: Twilio Verify v2 through the ``twilio`` library.

SMS tokens go through Verifications and VerificationCheck (Twilio makes and checks the code).
Push goes through Verify Push: each person is an Entity (identity ``user-<pk>``, no personal
data), the operator's own phone app enrols a push Factor with the Verify Push SDK (the portal
gives it an access token, :meth:`TwilioVerifyProvider.enrollment_data`), and each sign-in
creates a Challenge the person approves or denies in that app. Challenge webhooks are checked
with ``twilio.request_validator.RequestValidator`` against the external URL.
"""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from twofactor.conf import conf
from twofactor.providers.base import (
    ApprovalDetails,
    ApprovalStatus,
    CallbackAnswer,
    ErrorKind,
    InvalidCallback,
    Provider,
    ProviderError,
    PushFactor,
)
from twofactor.providers.fallback import NO_APP_ENROLLED
from twofactor.providers.inputs import checked_ref, is_token
from twofactor.providers.signing import public_url
from twofactor.providers.twilio_client import twilio_call, twilio_client

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

IDENTITY = r"user-[0-9]{8,40}"
CHALLENGE_SID = r"YC[0-9a-fA-F]{32}"
FACTOR_SID = r"YF[0-9a-fA-F]{32}"
E164 = r"\+[1-9][0-9]{6,14}"
NOT_FOUND = 20404
ACCESS_TOKEN_TTL = 300  # seconds, Twilio's maximum
MAX_FACTORS = 50  # Twilio's page size; a person has a phone or two, not dozens


def identity_for(user: User) -> str:
    """The person's Entity identity: stable, 8-64 dash-separated alphanumerics, no PII."""
    return f"user-{user.pk:08d}"


class TwilioVerifyProvider(Provider):
    name = "twilio_verify"
    independent_methods = False  # SMS and push both go through Twilio Verify
    polled_for_answers = True  # webhooks can be missed: the poll asks as well
    enrols_push_app = True  # the operator's app, built on the Verify Push SDK

    def __init__(self) -> None:
        self.app_name = conf.TWILIO_VERIFY_APP_NAME
        self.auth_token = conf.TWILIO_AUTH_TOKEN
        self.account_sid = conf.TWILIO_ACCOUNT_SID
        self.service_sid = conf.TWILIO_VERIFY_SERVICE_SID
        self.service = twilio_client().verify.v2.services(self.service_sid)

    def _call(self) -> AbstractContextManager[None]:
        """One guarded call; Twilio's error JSON becomes REJECTED with its code."""
        return twilio_call(self.name)

    # -- people ----------------------------------------------------------------------------

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        """SMS needs no registration (Verify texts the number); the Entity is made for push."""
        identity = identity_for(user)
        with self._call():
            try:
                self.service.entities(identity).fetch()
            except TwilioRestException as error:
                if error.code != NOT_FOUND:
                    raise
                self.service.entities.create(identity=identity)
        return identity

    def unregister(self, ref: str) -> None:
        identity = checked_ref(ref, IDENTITY, "entity identity")
        with self._call():
            try:
                self.service.entities(identity).delete()
            except TwilioRestException as error:
                if error.code != NOT_FOUND:
                    raise

    # -- SMS ---------------------------------------------------------------------------------

    def send_sms(self, user: User, ref: str, phone: str, *, attempt_id: str) -> None:
        to = checked_ref(phone, E164, "phone number")
        with self._call():
            verification = self.service.verifications.create(to=to, channel="sms")
        if verification.status != "pending":
            raise ProviderError(ErrorKind.BAD_RESPONSE, f"verification {verification.status}")

    def check_token(self, user: User, ref: str, phone: str, token: str, *, attempt_id: str) -> bool:
        if not is_token(token, min_digits=4, max_digits=10):
            return False  # never sent: only digits Verify could have issued go out
        to = checked_ref(phone, E164, "phone number")
        with self._call():
            try:
                check = self.service.verification_checks.create(to=to, code=token)
            except TwilioRestException as error:
                if error.code != NOT_FOUND:
                    raise
                return False  # no pending verification: expired, already used, or never sent
        if check.status == "approved" and check.valid is True:
            return True
        if check.status in ("pending", "canceled", "expired", "max_attempts_reached"):
            return False
        raise ProviderError(ErrorKind.BAD_RESPONSE, f"verification check {check.status}")

    # -- push --------------------------------------------------------------------------------

    def create_approval(self, user: User, ref: str, approval: ApprovalDetails) -> str:
        identity = checked_ref(ref, IDENTITY, "entity identity")
        expires = datetime.now(UTC) + timedelta(seconds=approval.expires_in)
        fields = [
            json.dumps({"label": k[:36], "value": v[:128]}) for k, v in approval.details.items()
        ]
        with self._call():
            factors = self.service.entities(identity).factors.list(limit=20)
            factor = next(
                (f for f in factors if f.status == "verified" and f.factor_type == "push"), None
            )
            if factor is None:
                raise ProviderError(
                    ErrorKind.REJECTED, "no phone app enrolled", code=NO_APP_ENROLLED
                )
            challenge = self.service.entities(identity).challenges.create(
                factor_sid=factor.sid,
                details_message=approval.message[:256],
                details_fields=fields,
                hidden_details=json.dumps(approval.hidden_details),
                expiration_date=expires,
            )
        if not isinstance(challenge.sid, str) or not re.fullmatch(CHALLENGE_SID, challenge.sid):
            raise ProviderError(ErrorKind.BAD_RESPONSE, "no challenge sid")
        return challenge.sid

    def approval_status(self, ref: str, request_ref: str) -> ApprovalStatus:
        identity = checked_ref(ref, IDENTITY, "entity identity")
        sid = checked_ref(request_ref, CHALLENGE_SID, "challenge sid")
        with self._call():
            challenge = self.service.entities(identity).challenges(sid).fetch()
        if challenge.identity not in (None, identity):
            raise ProviderError(ErrorKind.BAD_RESPONSE, "challenge of another person")
        try:
            return ApprovalStatus(challenge.status)
        except ValueError:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "unknown challenge status") from None

    def enrollment_data(self, user: User, ref: str) -> dict[str, Any]:
        """What the operator's app needs to enrol this phone with the Verify Push SDK."""
        identity = checked_ref(ref, IDENTITY, "entity identity")
        with self._call():
            token = self.service.access_tokens.create(
                identity=identity, factor_type="push", ttl=ACCESS_TOKEN_TTL
            )
        if not token.token:
            raise ProviderError(ErrorKind.BAD_RESPONSE, "no access token")
        return {
            "identity": identity,
            "service_sid": self.service_sid,
            "factor_type": "push",
            "access_token": token.token,
            "ttl": token.ttl or ACCESS_TOKEN_TTL,
        }

    def push_factors(self, user: User) -> list[PushFactor]:
        """The Verify push factors of the person's Entity (none if it has no Entity yet)."""
        identity = identity_for(user)
        try:
            with self._call():
                factors = self.service.entities(identity).factors.list(limit=MAX_FACTORS)
        except ProviderError as error:
            if error.code != str(NOT_FOUND):
                raise
            return []  # no Entity: nothing enrolled
        found = [
            PushFactor(
                id=f.sid,
                friendly_name=str(f.friendly_name or ""),
                created=f.date_created,
                status=str(f.status or ""),
            )
            for f in factors
            if f.factor_type == "push"
        ]
        if not all(isinstance(f.id, str) and re.fullmatch(FACTOR_SID, f.id) for f in found):
            raise ProviderError(ErrorKind.BAD_RESPONSE, "malformed factor sid")
        return found

    def delete_push_factor(self, user: User, factor_id: str) -> bool:
        identity = identity_for(user)
        sid = checked_ref(factor_id, FACTOR_SID, "factor sid")
        with self._call():
            try:
                return bool(self.service.entities(identity).factors(sid).delete())
            except TwilioRestException as error:
                if error.code != NOT_FOUND:
                    raise
                return False

    # -- webhooks ----------------------------------------------------------------------------

    def parse_callback(self, request: HttpRequest) -> CallbackAnswer:
        if not request.headers.get("X-Twilio-Signature"):
            raise InvalidCallback("unsigned")
        if not signature_is_valid(request, self.auth_token):
            raise InvalidCallback("wrong signature")
        params = request.POST
        if params.get("account_sid") != self.account_sid:
            raise InvalidCallback("another account")
        if params.get("service_sid") != self.service_sid:
            raise InvalidCallback("another service")
        sid = params.get("challenge_sid", "")
        if not re.fullmatch(CHALLENGE_SID, sid) or not params.get("type", "").startswith(
            "challenge."
        ):
            raise InvalidCallback("not a challenge event")
        try:
            status = ApprovalStatus(params.get("challenge_status", params["type"][10:]))
        except ValueError:
            raise InvalidCallback("unknown status") from None
        # The uuid is signed; the idempotency header is not, so it only stands in without one.
        replay_key = params.get("uuid") or request.headers.get("I-Twilio-Idempotency-Token", "")
        if not replay_key:
            raise InvalidCallback("no idempotency token")
        return CallbackAnswer(sid, status, replay_key=replay_key)


def signature_is_valid(request: HttpRequest, auth_token: str) -> bool:
    """``X-Twilio-Signature`` checked against the external URL (``PUBLIC_BASE_URL``).

    Behind a proxy the portal sees its own host and scheme; Twilio signed the public URL.
    ``RequestValidator`` compares in constant time.
    """
    url = public_url(request)
    signature = request.headers.get("X-Twilio-Signature", "")
    return bool(signature) and RequestValidator(auth_token).validate(url, request.POST, signature)
