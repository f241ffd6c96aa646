"""A person's security keys and passkeys (WebAuthn credentials) and their user handle."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device


class KeyOwner(models.Model):
    """A person's WebAuthn user handle: 64 random bytes, never their id or email, so a key
    reveals nothing about who they are; a passkey returns it to say whose it is."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="key_owner",
    )
    handle = models.BinaryField(max_length=64, unique=True)

    class Meta:
        db_table = "twofactor_keyowner"  # moved from the twofactor app, table kept


class SecurityKey(Device):
    """A security key or passkey (a WebAuthn credential) a person registered: a django-otp
    device, so a session signed in by it is marked verified by this key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_keys"
    )
    name = models.CharField(max_length=64)
    credential_id = models.BinaryField(max_length=1023)
    public_key = models.BinaryField()  # COSE
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backup_eligible = models.BooleanField(default=False)
    backed_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "twofactor_securitykey"  # moved from the twofactor app, table kept
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credential_id"], name="security_key_credential_unique")
        ]

    def __str__(self) -> str:
        return self.name
