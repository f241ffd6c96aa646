"""Emails to people: one function per notice, each rendered from templates/emails/.

``after_response`` runs a piece of mail work once the response has gone (Django's
``request_finished``, sent when the server closes the response), so a page whose mail work
depends on a secret (is this email an account?) answers in the same time either way. It needs
no extra process: the work runs in the same worker, under the test client too. Outside a
request (a management command) it runs at once.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.mail import send_mail
from django.core.signals import request_finished, request_started

from accounts.models import User
from portal import links
from portal.links import base_url
from portal.text_templates import render_text

logger = logging.getLogger(__name__)

_after_response: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "accounts_emails_after_response", default=None
)


def send_notice(user: User, template: str, subject: str, context: dict | None = None) -> None:
    """Send ``emails/<template>.txt`` (plain text, not HTML-escaped) to ``user``; context gets
    ``person`` and ``portal_url``."""
    body = render_text(
        f"emails/{template}.txt",
        {
            "person": user,
            "portal_url": base_url(),
            **(context or {}),
        },
    )
    send_mail(f"Partner Portal: {subject}", body, None, [user.email])


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` (mail and what goes with it) after this request's response has gone."""
    queue = _after_response.get()
    if queue is None:
        work()
    else:
        queue.append(links.keeping_base(work))  # its links still name this request's host


def _request_started(sender, **kwargs) -> None:
    _after_response.set([])


def _request_finished(sender, **kwargs) -> None:
    queue = _after_response.get() or []
    _after_response.set(None)
    for work in queue:
        try:
            work()
        except Exception:  # the response has gone: log it, and still run the rest
            logger.exception("Mail work after the response failed")


def connect_signals() -> None:
    request_started.connect(_request_started, dispatch_uid="accounts.emails.request_started")
    request_finished.connect(_request_finished, dispatch_uid="accounts.emails.request_finished")
