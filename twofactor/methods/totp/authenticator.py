"""An authenticator app's secret and codes: setting one up, checking a code, removing it.

The secret (20 random bytes) is stored only encrypted; a code is checked with django-otp's
HOTP over the current 30-second time step, one step of drift either way, and a step is
accepted at most once: the last accepted step is read and moved on under a row lock, so
parallel submissions of one right code give exactly one success.
"""

import base64
import secrets
from collections.abc import Collection
from urllib.parse import quote, urlencode

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.oath import hotp

from accounts import audit, emails
from accounts.models import User
from portal import encryption
from twofactor.methods.totp.models import AuthenticatorApp
from twofactor.methods.totp.tags import AppTag

ISSUER = "Partner Portal"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a phone's clock a step (30 s) fast or slow still works
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def has_app(user: User) -> bool:
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).exists()


def with_apps_among(user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` have an authenticator app turned on, in one query."""
    return set(
        AuthenticatorApp.objects.filter(user_id__in=user_ids, confirmed=True)
        .values_list("user_id", flat=True)
    )


def app_of(user: User) -> AuthenticatorApp | None:
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).first()


def current_step() -> int:
    return int(timezone.now().timestamp()) // STEP_SECONDS


def setup_key(secret: bytes) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    text = base64.b32encode(secret).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def secret_of(app: AuthenticatorApp) -> bytes:
    return bytes.fromhex(encryption.decrypt(app.encrypted_secret))


def pending_setup(user: User) -> AuthenticatorApp | None:
    """The setup in progress (made now if there is none), or None if an app is on already."""
    app, _ = AuthenticatorApp.objects.get_or_create(
        user=user,
        defaults={
            "name": "Authenticator app",
            "confirmed": False,
            "encrypted_secret": encryption.encrypt(secrets.token_bytes(SECRET_BYTES).hex()),
        },
    )
    return None if app.confirmed else app


def provisioning_uri(user: User, secret: bytes) -> str:
    """The otpauth:// address the QR code carries (Google Authenticator's key URI format)."""
    label = quote(f"{ISSUER}:{user.email}")
    query = urlencode({
        "secret": base64.b32encode(secret).decode("ascii").rstrip("="),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": DIGITS,
        "period": STEP_SECONDS,
    })
    return f"otpauth://totp/{label}?{query}"


def matching_step(secret: bytes, code: str, after: int | None) -> int | None:
    """The time step within the drift window whose code is ``code`` and that comes after
    the last accepted one, or None."""
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        expected = f"{hotp(secret, step, digits=DIGITS):0{DIGITS}d}"
        if constant_time_compare(expected, code) and (after is None or step > after):
            return step
    return None


def consume(user: User, code: str) -> AuthenticatorApp | None:
    """The person's app, if ``code`` is its code for a step not used before (that step is
    then spent); else None. Call inside a transaction to spend it only if the caller's work
    commits."""
    with transaction.atomic():
        app = AuthenticatorApp.objects.select_for_update().filter(user=user, confirmed=True).first()
        if app is None:
            return None
        step = matching_step(secret_of(app), code, app.last_step)
        if step is None:
            return None
        app.last_step = step
        app.last_used_at = timezone.now()
        app.save(update_fields=["last_step", "last_used_at"])
    return app


def turn_on(user: User, code: str, request: HttpRequest | None = None) -> bool:
    """Finish the setup in progress if ``code`` is the app's current code; audited and
    emailed. False if the code is not right (or there is no setup in progress)."""
    with transaction.atomic():
        app = (
            AuthenticatorApp.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .first()
        )
        step = matching_step(secret_of(app), code, None) if app else None
        if step is None:
            audit.record(AppTag.AUTHENTICATOR_APP_SETUP_REJECTED, request=request, subject=user)
            return False
        app.confirmed = True
        app.last_step = step  # the code just typed cannot also sign in
        app.created_at = timezone.now()
        app.save(update_fields=["confirmed", "last_step", "created_at"])
    audit.record(AppTag.AUTHENTICATOR_APP_ADDED, request=request, subject=user)
    emails.send_notice(user, "authenticator_app_added", "an authenticator app was added")
    return True


def remove(user: User, request: HttpRequest | None = None) -> bool:
    """Remove the person's app (audited and emailed); False if there was none."""
    deleted, _ = AuthenticatorApp.objects.filter(user=user, confirmed=True).delete()
    if not deleted:
        return False
    audit.record(AppTag.AUTHENTICATOR_APP_REMOVED, request=request, subject=user)
    emails.send_notice(user, "authenticator_app_removed", "an authenticator app was removed")
    return True


def remove_all(user: User) -> int:
    """An admin's factor reset: the person's app (and any setup in progress) goes, silently
    (the reset's own email says so); how many rows went."""
    deleted, _ = AuthenticatorApp.objects.filter(user=user).delete()
    return deleted


def reencrypt_all() -> int:
    """Encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY (after a rotation)."""
    count = 0
    for app in AuthenticatorApp.objects.only("pk", "encrypted_secret").iterator():
        AuthenticatorApp.objects.filter(pk=app.pk, encrypted_secret=app.encrypted_secret).update(
            encrypted_secret=encryption.reencrypt(app.encrypted_secret)
        )
        count += 1
    return count


def security_context(request: HttpRequest) -> dict:
    return {"app": app_of(request.user)}
