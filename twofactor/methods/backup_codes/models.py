"""A person's backup codes, and the sheet of them that is their django-otp device."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device


class BackupCodeSheet(Device):
    """A person's set of backup codes as one django-otp device (as django-otp's own
    ``StaticDevice`` holds its tokens): the device a session signed in by a backup code is
    verified by. The codes themselves are ``BackupCode`` rows of the same person."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_backup_code_sheet_per_user")
        ]


class BackupCode(models.Model):
    """One of a person's one-time backup codes, stored as a keyed HMAC (never the code)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes"
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "twofactor_backupcode"  # moved from the twofactor app, table kept
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="backup_code_unique_per_user")
        ]
