"""What the registry decides is what every path does: the challenge page offers only the
ways that can satisfy the person's policy now, the password step starts with the person's
default way, and every answer path (typed, key, passkey, push) refuses a way that is not
allowed. Each test here failed before the registry decided (issue 18's findings)."""

import pytest
from django.test import Client

from accounts.models import AuditEvent, Firm, User
from tests.signing_in import current_attempt, enter_password, sign_in
from tests.twofactor.methods.security_key.test_security_keys import (
    allow_passkeys,
    answer,
    key_options,
    passkey,
    register,
    signed_in_as,
)
from tests.twofactor.methods.totp.helpers import app_code, fresh, set_up_app
from twofactor.methods.security_key.models import SecurityKey
from twofactor.models import ApprovalRequest, FactorLock

TECH = "tech@acme.example"


@pytest.fixture(autouse=True)
def _portal_at_localhost(settings):
    settings.PUBLIC_BASE_URL = "http://localhost:8000"  # where the software key signs for


@pytest.fixture
def tech(demo_world) -> User:
    return demo_world[TECH]


def allow_only(*names: str) -> None:
    Firm.objects.filter(name="Acme IT").update(allowed_methods=list(names))


def test_a_default_of_authenticator_app_sends_no_push(tech, client):
    browser = sign_in(Client(), TECH)
    fresh(browser)
    secret = set_up_app(browser)
    assert browser.post("/security/default-method/", {"method": "totp"}).status_code == 302

    enter_password(client)

    assert not ApprovalRequest.objects.exists()  # the app is the way it starts with
    page = client.get("/login/verify/").content.decode()
    assert "6-digit code from your authenticator app" in page
    assert client.post("/login/verify/", {"token": app_code(secret, steps=1)})["Location"] == "/"


def test_with_security_keys_not_allowed_the_key_path_refuses_a_key(tech, client):
    soft = register(tech)
    allow_only("push", "sms")
    enter_password(client)
    assert "Use a security key" not in client.get("/login/verify/").content.decode()
    options = key_options(client)

    response = answer(client, soft.get(options))

    assert response.status_code == 403 and signed_in_as(client) is None
    assert "does not allow signing in with a security key" in response.json()["error"]


def test_with_security_keys_not_allowed_a_passkey_does_not_sign_in(tech, client):
    soft = register(tech)
    allow_passkeys(tech)
    allow_only("push", "sms")

    response = passkey(client, soft)

    assert response.status_code == 403 and signed_in_as(client) is None


def test_failed_passkey_answers_never_lock_the_keys_owner(tech, client, settings):
    """Anyone can present a passkey's credential id: its failures count against the
    credential and the address, so a stranger cannot lock its owner out."""
    settings.TWOFACTOR_RATE_LIMITS = {"passkey.failed.credential": (3, 3600)}
    soft = register(tech)
    allow_passkeys(tech)
    soft.user_verified = False  # every answer fails: no PIN, fingerprint or face

    tries = settings.TWOFACTOR_FAILURES_BEFORE_LOCK + 2
    statuses = [passkey(Client(), soft).status_code for _ in range(tries)]

    assert statuses[:3] == [400, 400, 400] and set(statuses[3:]) == {429}
    lock = FactorLock.objects.filter(user=tech).first()
    assert lock is None or (lock.failure_count == 0 and not lock.locked_until)
    soft.user_verified = True  # the owner, with their password, is not locked out
    enter_password(client)
    owner = answer(client, soft.get(key_options(client)))
    assert owner.status_code == 200 and signed_in_as(client) == tech.pk


def test_a_key_required_admins_page_offers_no_push_and_no_sms(demo_world, client):
    admin = demo_world["admin@acme.example"]
    register(admin)
    Firm.objects.filter(name="Acme IT").update(security_key_required_for_admins=True)

    enter_password(client, "admin@acme.example")
    page = client.get("/login/verify/").content.decode()

    assert "Use a security key" in page
    assert "Send SMS token" not in page and "Approve" not in page
    assert not ApprovalRequest.objects.filter(attempt=current_attempt(client)).exists()
    assert SecurityKey.objects.filter(user=admin).count() == 1
    assert not AuditEvent.objects.filter(tag="account:two_factor:push_sent").exists()
