"""Helpers for the lost-phone tests: a pending sign-in attempt, links and codes from the
texts and emails a person receives."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import User
from twofactor import registration
from twofactor.models import SignInAttempt
from twofactor.signin import attempts
from twofactor.sms.base import SmsMessage

NEW_NUMBER = "+12015550199"
NEW_NUMBER_TYPED = "(201) 555-0199"


def pending_client(user: User) -> Client:
    """A browser whose password step for ``user`` is done and second factor is not."""
    attempt = SignInAttempt.objects.create(
        user=user, expires_at=timezone.now() + timedelta(minutes=10),
        session_hash=user.get_session_auth_hash(),
    )
    client = Client()
    session = client.session
    session[attempts.SESSION_KEY] = str(attempt.pk)
    session.save()
    return client


def code_texted_to(outbox: list[SmsMessage], number: str) -> str:
    body = [text.body for text in outbox if text.to == number][-1]
    return re.search(r"\b(\d{6})\b", body).group(1)


def emailed_link(kind: str, to: str | None = None) -> str:
    """The path of the newest ``confirm`` or ``cancel`` link emailed (to ``to``)."""
    for message in reversed(mail.outbox):
        if to is None or to in message.to:
            found = re.search(rf"https?://[^/\s]+(/email/phone-change/\S+/{kind}/\S+/)",
                              message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no {kind} link emailed")


def signed_in(user: User, *, password: str | None = None) -> Client:
    """A browser signed in as ``user`` (second factor done); with ``password``, it has
    also just re-entered it, as sensitive actions need."""
    client = Client()
    client.force_login(user)
    device = registration.ensure_registered(user)
    if device is not None:  # the second factor done, as django_otp.login records it
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    if password is not None:
        response = client.post("/reauthenticate/", {"password": password})
        assert response.status_code == 302, "re-entering the password failed"
    return client
