"""The person's signed-in sessions, for the Security page: one row written at each sign-in
(not on every request), ended at sign-out or by "Sign out everywhere else"."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User, UserSession
from portal.request_info import browser_label, client_ip, user_agent

SESSION_KEY = "accounts_user_session"


def started(sender, request: HttpRequest, user: User, **kwargs) -> None:
    """Record a sign-in. The row id rides in the session, so it survives key cycling."""
    if request is None or not hasattr(request, "session"):
        return
    # Rows past the absolute session age list nothing: drop them as the next one is written.
    UserSession.objects.filter(user=user, created_at__lt=_oldest_live()).delete()
    row = UserSession.objects.create(
        user=user,
        session_stamp=user.session_stamp,
        browser=browser_label(user_agent(request))[:80],
        ip_address=client_ip(request) or None,
    )
    request.session[SESSION_KEY] = row.pk


def ended(sender, request: HttpRequest, user: User | None, **kwargs) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    current = request.session.get(SESSION_KEY)
    if current:
        UserSession.objects.filter(pk=current, user=user).update(ended_at=timezone.now())


def connect_signals() -> None:
    user_logged_in.connect(started, dispatch_uid="accounts.sessions.started")
    user_logged_out.connect(ended, dispatch_uid="accounts.sessions.ended")


def current_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


def live_sessions(user: User, current: int | None = None) -> QuerySet[UserSession]:
    """Sessions that can still be signed in: the current one, and those that started
    under the person's present stamp, were not signed out and have not aged out."""
    return UserSession.objects.filter(
        Q(pk=current) | Q(session_stamp=user.session_stamp, created_at__gte=_oldest_live()),
        user=user,
        ended_at__isnull=True,
    )


def _oldest_live():
    return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)


def end_other_sessions(request: HttpRequest) -> int:
    """Sign the person out everywhere but here; return how many other sessions ended."""
    user = request.user
    current = current_id(request)
    others = live_sessions(user).exclude(pk=current).update(ended_at=timezone.now())
    user.end_other_sessions()
    update_session_auth_hash(request, user)
    if current:
        UserSession.objects.filter(pk=current).update(session_stamp=user.session_stamp)
    return others


def end_all_sessions(user: User) -> None:
    """Sign a person out everywhere (an admin's reset, a completed phone change)."""
    user.end_other_sessions()
    UserSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
