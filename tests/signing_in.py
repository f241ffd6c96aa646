"""Signing in from tests: the password step, the texted token, and a session already past
the second factor (for tests of the pages behind it)."""

import re
import time

from django_otp import DEVICE_ID_SESSION_KEY

from accounts import reauth
from accounts.models import User
from tests.conftest import PASSWORD
from twofactor import registration
from twofactor.models import ApprovalRequest, SignInAttempt

ACME_TECH = "tech@acme.example"


# A device of each kind, as django-otp names it in the session ("app_label.model/pk"): what
# freshness reads to know which method verified a session.
DEVICE_OF = {
    "sms": "twofactor.phonedevice/1",
    "push": "twofactor.phonedevice/1",
    "totp": "totp.authenticatorapp/1",
    "security_key": "security_key.securitykey/1",
    "backup_code": "backup_codes.backupcodesheet/1",
    "remembered_browser": "twofactor.rememberedbrowser/1",
}


def verified_by(session, method: str, *, seconds_ago: int = 0) -> None:
    """Mark ``session`` verified ``seconds_ago`` by a device of ``method`` (not saved)."""
    from twofactor.signin import freshness

    session[DEVICE_ID_SESSION_KEY] = DEVICE_OF[method]
    session[freshness.VERIFIED_AT] = int(time.time()) - seconds_ago


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


def signed_in_by_text(client, outbox, email=ACME_TECH, **extra):
    """Signed in through the real challenge with a texted token a moment ago: the password
    and a factor both fresh, as adding a factor or making backup codes needs."""
    enter_password(client, email, **extra)
    assert type_token(client, request_token(client, outbox))["Location"] == "/"
    return client


def another_admin(firm, email: str) -> User:
    """A second active admin of ``firm``."""
    return User.objects.create_user(
        email, PASSWORD, full_name="Second Admin", role=User.Role.ADMIN, firm=firm
    )


def sign_in(client, email: str, *, fresh_password: bool = True):
    """Sign ``client`` in as the demo person with ``email``, past the second factor.

    The second factor is marked done the way a completed challenge leaves the session
    (django-otp's device id), so these tests reach the Admin pages whatever the firm's
    setting; the sign-in itself is tested in tests/twofactor.
    """
    person = User.objects.get(email=email)
    client.force_login(person)
    session = client.session
    device = registration.phone_device(person) or (
        registration.register_phone(person) if person.phone else None
    )
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if fresh_password:
        session[reauth.SESSION_KEY] = int(time.time())
    session.save()
    return client
