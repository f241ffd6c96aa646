"""Emails about the second factor that a person should know of at once: a right password
followed by repeated wrong second factors, and every change to their factors (what changed,
when, from where; never a code or a full number). A method's own emails live with it (a
denied push: ``twofactor.methods.push.emails``)."""

from django.http import HttpRequest
from django.utils import timezone

from accounts.emails import send_notice
from accounts.models import User
from portal.request_info import browser_label, client_ip, user_agent
from twofactor.models import FactorLock, SignInAttempt


def where(ip: str | None, agent: str) -> dict[str, str]:
    return {"ip_address": ip or "an unknown address", "browser": browser_label(agent)}


def second_factor_failing(user: User, attempt: SignInAttempt, *, locked: bool) -> None:
    """Someone had the password but failed the second factor repeatedly; when it locked the
    person, say until when and which administrators can lift it (by name: this goes only to
    the person's own mailbox)."""
    lock = FactorLock.objects.filter(pk=user.pk).first() if locked else None
    admins = (
        User.objects.filter(firm_id=user.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .order_by("full_name")
        if locked
        else User.objects.none()
    )
    send_notice(
        user,
        "second_factor_failed",
        "your account is locked" if locked else "repeated failed sign-in attempts",
        {
            "when": timezone.now(),
            "locked": locked,
            "locked_until": lock.locked_until if lock else None,
            "admins": list(admins),
            **where(attempt.ip_address, attempt.user_agent),
        },
    )


def factors_changed(
    user: User, template: str, subject: str, *, request: HttpRequest | None = None,
    ip_address: str | None = None, **context: object,
) -> None:
    """A change to ``user``'s factors: ``emails/<template>.txt`` says what, when and from
    where (the browser and address of ``request``; without one, ``ip_address`` where the
    change was asked for), so a change they did not make stands out."""
    origin = (
        where(client_ip(request), user_agent(request))
        if request is not None
        else {"ip_address": ip_address or "an unknown address", "browser": "browser unknown"}
    )
    send_notice(user, template, subject, {"when": timezone.now(), **origin, **context})
