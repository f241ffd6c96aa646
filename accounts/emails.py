"""Emails to people: one function per notice, each rendered from templates/emails/."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import User


def send_notice(user: User, template: str, subject: str, context: dict | None = None) -> None:
    """Send ``emails/<template>.txt`` to ``user``; context gets ``person``, ``portal_url``
    and ``phone_app_name`` (what the configured provider's people install)."""
    from twofactor.providers import get_provider  # accounts must load before twofactor

    body = render_to_string(
        f"emails/{template}.txt",
        {
            "person": user,
            "portal_url": settings.PUBLIC_BASE_URL,
            "phone_app_name": get_provider().app_name,
            **(context or {}),
        },
    )
    send_mail(f"Partner Portal: {subject}", body, None, [user.email])
