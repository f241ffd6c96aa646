"""A first sign-in's state in the session, in two stages.

1. After the password (``start``): the session is anonymous and holds only who, since when,
   where next, a nonce binding the emailed code to this browser, and the person's session
   auth hash (a new password ends it). It lasts ``TWOFACTOR_ATTEMPT_SECONDS``, like an attempt.
2. After the emailed code (``proven``): the person is signed in but not verified, marked as
   setting up, and the second-factor middleware lets that session reach only the set-up
   pages (``reachable_setting_up``) and this page, while the password is recent. Once a way
   is usable (``set_up_done``) the sign-in goes on through the challenge, where the new
   factor is proven once like any other: the one verification path, its policy and lock.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from accounts import audit, emails, reauth
from accounts.models import User
from accounts.permissions import SETTING_UP_SESSION_KEY
from twofactor.conf import conf
from twofactor.enrolment import windows
from twofactor.enrolment.tags import EnrolmentTag

PENDING = "twofactor_first_signin"
SETTING_UP = SETTING_UP_SESSION_KEY


def start(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the person has no way to answer: a fresh, anonymous
    session for the set-up page."""
    request.session.flush()
    request.session[PENDING] = {
        "user": user.pk, "at": int(timezone.now().timestamp()), "next": next_url,
        "nonce": secrets.token_urlsafe(16), "hash": user.get_session_auth_hash(),
    }
    return redirect("twofactor:set_up_first")


def pending(request: HttpRequest) -> tuple[User, dict] | None:
    """The person whose password this session took, and the state, while it is fresh."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("at"), int):
        return None
    if not 0 <= timezone.now().timestamp() - state["at"] <= conf.TWOFACTOR_ATTEMPT_SECONDS:
        return None
    person = User.objects.select_related("firm", "client").filter(
        pk=state.get("user"), is_active=True
    ).first()
    if person is None or person.get_session_auth_hash() != state.get("hash"):
        return None  # a new password since: start again
    return person, state


def proven(request: HttpRequest, person: User, state: dict) -> None:
    """The emailed code was right: signed in, unverified, only to set up a way."""
    login(request, person, backend="accounts.backends.EmailBackend")  # cycles the session key
    request.session.pop(PENDING, None)
    request.session[SETTING_UP] = {"next": state.get("next") or ""}
    reauth.mark_recent(request, at=state["at"])  # the password was typed then, not now
    audit.record(EnrolmentTag.CODE_ACCEPTED, request=request, subject=person)


def setting_up(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return SETTING_UP in request.session and bool(user and user.is_authenticated)


def set_up_done(request: HttpRequest, ways: list[str]) -> str:
    """A first way (``ways``: the labels of what is usable now) is set up: the windows are
    spent, the firm's admins told, and the sign-in goes on; where it was going."""
    person = request.user
    state = request.session.pop(SETTING_UP, {})
    windows.close_all(person)
    audit.record(EnrolmentTag.FIRST_FACTOR_SET_UP, request=request, subject=person, ways=ways)
    admins = User.objects.filter(
        firm_id=person.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=person.pk)
    for admin in admins:
        emails.after_response(lambda admin=admin: emails.send_notice(
            admin, "first_factor_set_up_for_admins",
            f"{person} set up their first way to sign in", {"subject_person": person, "ways": ways},
        ))
    return state.get("next", "") if isinstance(state, dict) else ""
