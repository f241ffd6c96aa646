"""A phone with the Partner Portal app, the link that pairs it, and each sign-in request
delivered to it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from twofactor.models import ApprovalRequest


class AppPhone(Device):
    """One phone (or tablet) with the app, holding a non-extractable P-256 key.

    ``Device.confirmed`` is False until the desktop that made the pairing link types the
    code the phone shows: only then does the phone get sign-in requests. ``Device.name``
    is what the person called it ("Name of this phone")."""

    class Push(models.TextChoices):
        NONE = "none", "No notifications"  # refused, not supported, or not asked yet
        ON = "on", "Notifications on"
        GONE = "gone", "Notifications stopped"  # the push service said 404/410

    public_key = models.BinaryField(max_length=65)  # the uncompressed point, 0x04 || X || Y
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_answer_at = models.DateTimeField(null=True, blank=True)
    # The Web Push subscription (RFC 8030): where to send, and the keys to encrypt for.
    push = models.CharField(max_length=8, choices=Push.choices, default=Push.NONE)
    endpoint = models.URLField(max_length=1024, blank=True)
    p256dh = models.CharField(max_length=128, blank=True)
    auth = models.CharField(max_length=64, blank=True)
    # 429 or 5xx from the push service: no sends to it before then.
    push_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "confirmed"])]


class Pairing(models.Model):
    """A single-use link (10 minutes) made on the Security page for one person; the phone
    that opens it registers its key and shows a code the desktop must type back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the link's secret
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)  # a phone opened it
    phone = models.OneToOneField(AppPhone, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="pairing")
    code_hash = models.CharField(max_length=64, blank=True)
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)


class Delivery(models.Model):
    """One push request (an ``ApprovalRequest``) on one phone: the nonce its answer must
    carry (used once), how the push went, and whether this phone's answer won."""

    class State(models.TextChoices):
        QUEUED = "queued", "Not sent yet"
        SENT = "sent", "Sent"
        NO_PUSH = "no_push", "No notifications on this phone"
        GONE = "gone", "Subscription gone"
        BACK_OFF = "back_off", "Push service busy"
        FAILED = "failed", "Could not be sent"

    approval = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                 related_name="deliveries")
    phone = models.ForeignKey(AppPhone, on_delete=models.CASCADE, related_name="deliveries")
    nonce = models.CharField(max_length=32)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)  # the nonce was spent
    won = models.BooleanField(default=False)  # this phone's answer closed the request

    class Meta:
        constraints = [models.UniqueConstraint(fields=["approval", "phone"],
                                               name="one_delivery_per_phone")]
