"""Emails to people: one function per notice, each rendered from templates/emails/."""

from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import User
from portal.links import base_url


def send_notice(user: User, template: str, subject: str, context: dict | None = None) -> None:
    """Send ``emails/<template>.txt`` to ``user``; context gets ``person`` and ``portal_url``."""
    body = render_to_string(
        f"emails/{template}.txt",
        {
            "person": user,
            "portal_url": base_url(),
            **(context or {}),
        },
    )
    send_mail(f"Partner Portal: {subject}", body, None, [user.email])
