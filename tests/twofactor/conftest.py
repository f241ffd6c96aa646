"""Helpers for second-factor tests: sign in with the password, read the texted token."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.emulators.fixtures import authy_emulator, twilio_emulator  # noqa: F401
from tests.twofactor.providers.fixtures import (  # noqa: F401
    authy,
    authy_settings,
    person,
    twilio,
    twilio_settings,
)
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.sms import locmem

ACME_TECH = "tech@acme.example"


@pytest.fixture(autouse=True)
def sms_outbox():
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


def enter_password(client, email=ACME_TECH, password=PASSWORD, **extra):
    return client.post("/login/", {"email": email, "password": password, **extra})


def current_attempt(client) -> SignInAttempt:
    return SignInAttempt.objects.get(pk=client.session["twofactor_attempt"])


def latest_approval(client) -> ApprovalRequest:
    return current_attempt(client).approvals.order_by("-created_at").first()


def send_sms(client):
    return client.post("/login/verify/sms/")


def texted_token(outbox) -> str:
    return re.search(r"\b(\d{6,})\b", outbox[-1].body).group(1)


def request_token(client, outbox) -> str:
    assert send_sms(client).status_code == 302
    return texted_token(outbox)


def type_token(client, token, **extra):
    return client.post("/login/verify/", {"token": token, **extra})


@pytest.fixture
def pending(client, demo_world):
    """A client whose password step is done for Acme's tech (2FA on): a pending attempt."""
    response = enter_password(client)
    assert response["Location"] == "/login/verify/"
    return client


@pytest.fixture
def time_travel(monkeypatch):
    """Move the portal's clock forward: ``time_travel(seconds)``."""
    offset = timedelta()
    real_now = timezone.now

    def now():
        return real_now() + offset

    def travel(seconds: float) -> None:
        nonlocal offset
        offset += timedelta(seconds=seconds)

    monkeypatch.setattr(timezone, "now", now)
    return travel
