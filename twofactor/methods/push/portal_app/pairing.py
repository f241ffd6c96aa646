"""Pairing a phone: a single-use link for one person, then a code typed back on the desktop.

The Security page makes a ``Pairing``: 32 random bytes carried in the link's fragment (a
browser never sends a fragment, so no server or proxy log holds it; the phone's app posts
it), stored only as a SHA-256. The first phone to post it registers its public key and is
shown a 6-digit code; the phone counts only once the desktop session that made the link
types that code. So whoever opens a leaked link pairs nothing: the code shows on their
phone, not on the desktop of the person signed in. Five wrong codes end the pairing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import audit
from accounts.models import User
from portal.links import absolute_url
from twofactor import notifications
from twofactor.methods.push.portal_app import signatures
from twofactor.methods.push.portal_app.models import AppPhone, Pairing
from twofactor.methods.push.tags import PushTag

LINK_SECONDS = 10 * 60
CODE_SECONDS = 10 * 60  # from the phone opening the link to the desktop typing its code
MAX_WRONG_CODES = 5
MAX_PHONES = 10
MAX_NAME = 40
SESSION_KEY = "portal_app.pairing"
PATH = "/app/pair/"

MAKE_NEW = "Make a new link on the Security page of the portal."


class PairingRefused(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Confirmed:
    ok: bool
    message: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def code_hash(pairing: Pairing, code: str) -> str:
    return salted_hmac("portal_app.pairing.code", f"{pairing.pk}:{code}").hexdigest()


def start(request: HttpRequest) -> Pairing:
    """A new link for the person signed in (an unfinished one of theirs ends)."""
    user = request.user
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Pairing.objects.filter(user=user, confirmed_at__isnull=True).delete()
        pairing = Pairing.objects.create(
            user=user, secret_hash=secret_hash(secret), created_at=now,
            expires_at=now + timedelta(seconds=LINK_SECONDS),
        )
    request.session[SESSION_KEY] = {"id": str(pairing.pk), "secret": secret}
    return pairing


def current(request: HttpRequest) -> tuple[Pairing, str] | None:
    """The pairing this desktop session made, with its secret, while it can still finish."""
    held = request.session.get(SESSION_KEY) or {}
    pairing = Pairing.objects.filter(
        pk=held.get("id"), user=request.user, confirmed_at__isnull=True
    ).select_related("phone").first() if held.get("id") else None
    if pairing is None or _finished_by(pairing) <= timezone.now():
        return None
    return pairing, held["secret"]


def link(secret: str, request: HttpRequest | None = None) -> str:
    return absolute_url(PATH, request) + "#" + secret


def _finished_by(pairing: Pairing):
    if pairing.used_at is None:
        return pairing.expires_at
    return pairing.used_at + timedelta(seconds=CODE_SECONDS)


def pair_phone(secret: object, name: object, public_key: object) -> tuple[AppPhone, str]:
    """The phone's side: register its key under the link's person; the code to show."""
    if not isinstance(secret, str) or not secret or len(secret) > 100:
        raise PairingRefused(f"This link is not complete. {MAKE_NEW}")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise PairingRefused(f"Give this phone a name of up to {MAX_NAME} characters, "
                             "e.g. “Work iPhone”.")
    try:
        point = signatures.b64url_decode(public_key)
        signatures.public_key(point)
    except ValueError as error:
        raise PairingRefused("This browser could not make a key for the app. Update it, "
                             "or open the link in another browser.") from error
    now = timezone.now()
    with transaction.atomic():
        pairing = Pairing.objects.select_for_update().filter(
            secret_hash=secret_hash(secret)).select_related("user").first()
        if pairing is None:
            raise PairingRefused(f"This link is not valid. {MAKE_NEW}", 404)
        if pairing.used_at is not None:
            raise PairingRefused(f"This link has been used already. {MAKE_NEW}", 410)
        if pairing.expires_at <= now:
            raise PairingRefused(f"This link has expired: links last 10 minutes. {MAKE_NEW}", 410)
        person = pairing.user
        if not person.is_active:
            raise PairingRefused("This account cannot add phones.", 403)
        if AppPhone.objects.filter(user=person).count() >= MAX_PHONES:
            raise PairingRefused(f"This account has {MAX_PHONES} phones with the app already. "
                                 "Remove one on the Security page first.", 409)
        phone = AppPhone.objects.create(user=person, name=name, confirmed=False,
                                        public_key=point, created_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        pairing.used_at, pairing.phone, pairing.code_hash = now, phone, code_hash(pairing, code)
        pairing.save(update_fields=["used_at", "phone", "code_hash"])
    return phone, code


def confirm(request: HttpRequest, code: str) -> Confirmed:
    """The desktop's side: the code the phone shows, typed by the person who made the link."""
    held = request.session.get(SESSION_KEY) or {}
    now = timezone.now()
    with transaction.atomic():
        pairing = (Pairing.objects.select_for_update()
                   .filter(pk=held.get("id"), user=request.user).first()
                   if held.get("id") else None)
        if pairing is None or pairing.confirmed_at is not None:
            return Confirmed(False, "This pairing has ended. Make a new link.")
        if pairing.used_at is None:
            if pairing.expires_at <= now:
                return Confirmed(False, "The link expired before a phone opened it. "
                                        "Make a new link.")
            return Confirmed(False, "No phone has opened the link yet. Open it on the phone, "
                                    "press “Add this phone”, then type the code it shows.")
        if _finished_by(pairing) <= now or pairing.wrong_codes >= MAX_WRONG_CODES:
            return Confirmed(False, "This pairing has expired. Make a new link.")
        if not constant_time_compare(code_hash(pairing, code), pairing.code_hash):
            pairing.wrong_codes += 1
            pairing.save(update_fields=["wrong_codes"])
            if pairing.wrong_codes >= MAX_WRONG_CODES:
                AppPhone.objects.filter(pk=pairing.phone_id).delete()
                return Confirmed(False, "That code was wrong too many times, so the phone was "
                                        "not added. Make a new link.")
            return Confirmed(False, "That is not the code on the phone. Check the 6 digits the "
                                    "app shows and type them again.")
        pairing.confirmed_at = now
        pairing.save(update_fields=["confirmed_at"])
        phone = AppPhone.objects.get(pk=pairing.phone_id)
        phone.confirmed, phone.confirmed_at = True, now
        phone.save(update_fields=["confirmed", "confirmed_at"])
        audit.record(PushTag.PUSH_APP_ADDED, request=request, subject=request.user,
                     app=f"Partner Portal app on {phone.name}"[:64])
        transaction.on_commit(lambda: _tell_added(request, request.user, phone), robust=True)
    request.session.pop(SESSION_KEY, None)
    return Confirmed(True, f"“{phone.name}” is set up. Sign-in requests now go to it.")


def _tell_added(request: HttpRequest, user: User, phone: AppPhone) -> None:
    notifications.factors_changed(
        user, "portal_app_phone_added", "a phone was added for sign-in requests",
        request=request, phone_name=phone.name,
    )
