"""An enrolment window (when a first factor may be added with the password and an emailed
code) and the one emailed code a person may hold."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EnrolmentWindow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    # The admin who opened it; None: the invitation did.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # When a first factor was set up through it (it opens nothing after that).
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-closes_at"])]


class EnrolmentCode(models.Model):
    """The code last emailed to a person (one at a time: a new one replaces it). Only a keyed
    HMAC over the session's nonce and the code is kept, so the code works in that browser
    only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    wrong = models.PositiveSmallIntegerField(default=0)
