"""The second factor's records: the person's registered phone, sign-in attempts, the tokens
and OneTouch approval requests bound to them, and the wrong-token lock."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from portal.redirects import MAX_NEXT_LENGTH


class PhoneDevice(Device):
    """A person's mobile number as registered with the provider (one per person).

    The number on the person's profile is ``User.phone``; this row records what the
    provider knows, so the admin list can say "registered with the provider".
    """

    number = models.CharField(max_length=20)
    provider = models.CharField(max_length=32)
    provider_ref = models.CharField(max_length=64, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="one_phone_device_per_user")]

    def is_registered_for(self, number: str, provider: str) -> bool:
        return bool(self.registered_at) and self.number == number and self.provider == provider


class SignInAttempt(models.Model):
    """The password was right; the second factor is pending. Succeeds at most once.

    A ``confirm`` attempt is the same challenge for a person already signed in who must
    prove a second factor again before a sensitive change ("Confirm it's you")."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign in"
        CONFIRM = "confirm", "Confirm it's you"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.SIGN_IN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_attempts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=24, blank=True)  # push, sms, backup_code, ...
    # The django-otp device that answered ("app_label.model/pk"): the session is marked
    # verified by it at finish.
    device = models.CharField(max_length=96, blank=True)
    # Where to go once signed in (already checked to be on this host).
    next_url = models.CharField(max_length=MAX_NEXT_LENGTH, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # The person's session auth hash at the password step: a new password or a new session
    # stamp ("Sign out everywhere else") ends the attempt, as it ends signed-in sessions.
    session_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    @property
    def is_confirmation(self) -> bool:
        return self.purpose == self.Purpose.CONFIRM


class SmsToken(models.Model):
    """A token the portal made and texted (local provider), stored as a keyed HMAC."""

    attempt = models.ForeignKey(SignInAttempt, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)


class ApprovalRequest(models.Model):
    """A OneTouch / push approval request, bound to one sign-in attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"
        # The sign-in finished another way or was abandoned: approving it does nothing.
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attempt = models.ForeignKey(
        SignInAttempt, on_delete=models.CASCADE, related_name="approvals"
    )
    # Number matching: shown on the challenge page, picked from three on the phone.
    match_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # "This wasn't me" was acted on (once: the email link works a single time).
    reported_at = models.DateTimeField(null=True, blank=True)

    class Denial(models.TextChoices):
        """Why a denied request was denied, so the challenge page can say which."""

        TAPPED_DENY = "", "Denied on the phone"
        WRONG_NUMBER = "wrong_number", "A different number was tapped"
        REPORTED = "reported", "Reported as not the person's sign-in"

    denied_because = models.CharField(
        max_length=16, choices=Denial.choices, default=Denial.TAPPED_DENY, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=32)
    provider_ref = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["attempt", "-created_at"])]


class FactorLock(models.Model):
    """Wrong second-factor answers per person: back-off, then a hard lock.

    A security boundary, so it lives on a database row updated atomically (not the cache):
    it holds across every worker and host. Lifts by time or by an admin.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="factor_lock",
    )
    failure_count = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until) and self.locked_until > (now or timezone.now())


class PhoneChangeRequest(models.Model):
    """A person without their old phone asks for a new number: proven by a code texted to
    the new number, confirmed from the email address, then held before it applies."""

    class Status(models.TextChoices):
        PROVING = "proving", "Waiting for the code sent to the new number"
        CONFIRMING = "confirming", "Waiting for the email confirmation"
        ON_HOLD = "on_hold", "Waiting for the hold to pass"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected by an administrator"

    OPEN = (Status.PROVING, Status.CONFIRMING, Status.ON_HOLD)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_change_requests"
    )
    old_phone = models.CharField(max_length=20, blank=True)
    new_phone = models.CharField(max_length=20)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROVING)
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    proven_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set once, at the email confirmation; only an admin's early approval moves it.
    due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    approved_early = models.BooleanField(default=False)
    # Asked from the Security page by a signed-in person with a fresh factor: it applies as
    # soon as the new number is proven (the email and the hold are for lost phones).
    signed_in = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["proving", "confirming", "on_hold"]),
                name="one_open_phone_change_per_user",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class RememberedBrowser(Device):
    """A browser where the person ticked "Don't ask again on this browser for 30 days".

    Not a way of answering but a skip of the second step; it is a django-otp device all the
    same, so a session that skipped by it is marked verified by this browser and by nothing
    stronger (it never counts as a fresh factor).

    The cookie holds a random token; only its SHA-256 is stored. The row is bound to the
    person's session auth hash, so a new password or a new session stamp (sign out
    everywhere else, a number change, a factor reset) forgets it with the sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remembered_browsers"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    session_hash = models.CharField(max_length=64)
    browser = models.CharField(max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]


