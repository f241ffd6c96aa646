"""The rules of a remembered browser.

- The cookie (``__Host-`` in production) holds a random token; only its SHA-256 is stored,
  with the person's session auth hash: a new password, "Sign out everywhere else", a number
  change or a factor reset (each a new hash) forget every browser with the sessions.
- 30 days absolute from the tick, however often it is used; at most 10 per person (the
  oldest goes).
- It only skips the second step after a right password; never where the firm (or client)
  does not allow it, never for a person who must use a security key, and it never counts
  as a fresh factor (it is no method: ``freshness`` finds none for its device).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts import policy
from accounts.models import User
from portal.request_info import browser_label, client_ip, user_agent
from twofactor.conf import conf
from twofactor.models import RememberedBrowser

MAX_COOKIE_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_remember(user: User) -> bool:
    """Whether this person may tick "Don't ask again on this browser for 30 days"."""
    return (
        policy.may_remember_browser(policy.holder_of(user))
        and not policy.needs_security_key(user)
    )


def remember(request: HttpRequest, response: HttpResponse, user: User) -> RememberedBrowser:
    """Remember this browser for ``user``: a new token in the cookie, its hash in a row."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    row = RememberedBrowser.objects.create(
        user=user,
        name="Remembered browser",
        token_hash=_hash(token),
        session_hash=user.get_session_auth_hash(),
        browser=browser_label(user_agent(request))[:80],
        ip_address=client_ip(request) or None,
        created_at=now,
        expires_at=now + timedelta(seconds=conf.REMEMBER_BROWSER_SECONDS),
    )
    keep = listed(user).values_list("pk", flat=True)[: conf.REMEMBER_BROWSER_MAX]
    RememberedBrowser.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    response.set_cookie(
        conf.REMEMBER_BROWSER_COOKIE_NAME,
        token,
        max_age=conf.REMEMBER_BROWSER_SECONDS,
        secure=conf.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return row


def recognised(request: HttpRequest, user: User) -> RememberedBrowser | None:
    """This browser's row for ``user``, if it may skip the second step now."""
    token = request.COOKIES.get(conf.REMEMBER_BROWSER_COOKIE_NAME, "")
    if not token or len(token) > MAX_COOKIE_LENGTH or not may_remember(user):
        return None
    row = (
        RememberedBrowser.objects.filter(
            user=user, token_hash=_hash(token), expires_at__gt=timezone.now()
        ).first()
    )
    if row is None or not constant_time_compare(row.session_hash, user.get_session_auth_hash()):
        return None
    RememberedBrowser.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row


def listed(user: User) -> QuerySet[RememberedBrowser]:
    """The person's browsers that are still remembered, newest first."""
    return RememberedBrowser.objects.filter(
        user=user, expires_at__gt=timezone.now(), session_hash=user.get_session_auth_hash()
    ).order_by("-created_at", "-id")


def forget(user: User, browser_id: int) -> bool:
    return bool(RememberedBrowser.objects.filter(pk=browser_id, user=user).delete()[0])


def forget_all(user: User) -> int:
    return RememberedBrowser.objects.filter(user=user).delete()[0]


def forget_where(**people) -> int:
    """Forget the browsers of every person matched (a firm or client turned the policy off)."""
    return RememberedBrowser.objects.filter(
        **{f"user__{key}": value for key, value in people.items()}
    ).delete()[0]
