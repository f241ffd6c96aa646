"""A person's authenticator app."""

from django.db import models
from django.utils import timezone
from django_otp.models import Device


class AuthenticatorApp(Device):
    """A person's authenticator app (TOTP, RFC 6238): one per person.

    Built on django-otp's ``Device`` (so ``django_otp.login`` marks a session verified by
    it) but not on its ``TOTPDevice``, whose ``key`` column holds the secret in plain hex:
    here only ciphertext is stored (``portal.encryption``, keyed by FIELD_ENCRYPTION_KEY),
    and codes are checked with django-otp's own TOTP algorithm under a row lock. A row
    that is not ``confirmed`` is a setup in progress: its secret is on the setup page.
    """

    encrypted_secret = models.TextField()
    # The last time step whose code was accepted: no step is ever accepted twice.
    last_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "twofactor_authenticatorapp"  # moved from the twofactor app, table kept
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_authenticator_app_per_user")
        ]
