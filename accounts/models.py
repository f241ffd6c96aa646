"""Who people are: firms (partner accounts), their clients, and the people of both.

A firm has employees (firm admins and techs) and clients (customer sites); an end user
belongs to one client of one firm. Active people are the seed article's "permissioned" ones.
"""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.conf import conf


class PolicyHolder(models.Model):
    """How the people a policy covers sign in: a firm's for its employees and firm admins, a
    client's for its end users. One set of fields, so the policy (accounts.policy) and the
    pages that set it ask a holder, never which kind it is; ``holder_of`` finds a person's.
    """

    # Each holder words the switch for its own people, so Firm and Client override the label.
    two_factor_required = models.BooleanField(default=False)
    # A checked browser skips the second step (never the password) for 30 days.
    allow_remembered_browsers = models.BooleanField(
        "Allow remembering a browser for 30 days", default=False
    )
    # A passkey (a security key with user verification) proves both factors at once.
    passkey_sign_in_allowed = models.BooleanField(
        "Allow passkey sign-in without a password", default=False
    )
    # The ways of answering the holder's people may use, by method name ("push", "sms",
    # ...); None allows every way the portal offers, including ones added later.
    allowed_methods = models.JSONField(null=True, blank=True, default=None)
    # Where a number typed without a country code is read (ISO 3166 code); blank: the
    # holder's fallback (each holder's ``region`` reads it).
    phone_region = models.CharField("Country for phone numbers", max_length=2, blank=True)

    class Meta:
        abstract = True


class Firm(PolicyHolder):
    """A partner account."""

    name = models.CharField(max_length=120, unique=True)
    two_factor_required = models.BooleanField(
        "Enable two-factor authentication for your partner account", default=False
    )
    security_key_required_for_admins = models.BooleanField(
        "Require a security key for firm admins", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        """Blank falls back to the portal's PHONE_DEFAULT_REGION."""
        return self.phone_region or conf.PHONE_DEFAULT_REGION


class Client(PolicyHolder):
    """A customer site of a firm, whose end users also sign in."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=120)
    two_factor_required = models.BooleanField(
        "Require two-factor authentication for end users", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="client_name_unique_in_firm")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        """Blank falls back to the firm's country."""
        return self.phone_region or self.firm.region


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: store them lower-cased."""
    return (email or "").strip().lower()


def new_session_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser):
    """A person who signs in: a firm admin, a tech, or an end user at a client site."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Firm admin"
        TECH = "tech", "Tech"
        END_USER = "end_user", "End user"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TECH)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="people")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="end_users", null=True, blank=True
    )
    phone = models.CharField("Mobile phone number", max_length=20, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Kept on the person, not the phone's device row, so a factor reset or a new number
    # does not erase when the person last proved a second factor.
    last_second_factor_at = models.DateTimeField(
        "Last verified with a second factor", null=True, blank=True
    )
    # Changing it ends every other session of this person (it is part of the session hash).
    session_stamp = models.CharField(max_length=32, default=new_session_stamp, editable=False)
    # The way the second step starts at sign-in ("push", "sms", ...; blank: the strongest).
    preferred_method = models.CharField(max_length=24, blank=True)
    # Set by "This wasn't me": a new password right after the next second factor.
    must_change_password = models.BooleanField(default=False)
    # Set by "This wasn't me": no pushes until then (other methods still work).
    push_paused_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="end_user", client__isnull=False)
                    | (~models.Q(role="end_user") & models.Q(client__isnull=True))
                ),
                name="end_users_and_only_end_users_have_a_client",
            )
        ]
        indexes = [
            models.Index(fields=["firm", "role", "full_name"]),
            # Manage Employees pages by (name, id) inside a firm: an index range, no sort.
            models.Index(fields=["firm", "full_name", "id"], name="user_firm_name_page"),
            models.Index(fields=["client", "full_name", "id"], name="user_client_name_page"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)
        if self.role == self.Role.END_USER:
            if self.client_id is None:
                raise ValidationError({"client": "An end user belongs to a client site."})
            if self.firm_id and self.client.firm_id != self.firm_id:
                raise ValidationError({"client": "That client belongs to another firm."})
        elif self.client_id is not None:
            raise ValidationError({"client": "Only end users belong to a client site."})

    @property
    def is_firm_admin(self) -> bool:
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def is_end_user(self) -> bool:
        return self.role == self.Role.END_USER

    @property
    def phone_region(self) -> str:
        """Where this person's numbers typed without a country code are read."""
        return self.client.region if self.client_id else self.firm.region

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_session_auth_hash(self) -> str:
        """Sessions carry this hash; a new password or a new stamp ends them."""
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_stamp}", algorithm="sha256"
        ).hexdigest()

    def end_other_sessions(self) -> None:
        """Invalidate every session of this person (call update_session_auth_hash to keep one)."""
        self.session_stamp = new_session_stamp()
        User.objects.filter(pk=self.pk).update(session_stamp=self.session_stamp)


class AuditEvent(models.Model):
    """One security-relevant thing that happened: who did what to whom, when, from where."""

    tag = models.CharField(max_length=64, db_index=True)
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, null=True, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    # The sign-in this event was part of: every event from the password to the result
    # carries the same id, so Activity shows a sign-in as one row. Not a foreign key: a
    # sign-in without a second step has no attempt row, and accounts sits below twofactor.
    # Events before this field (and events outside a sign-in) have none.
    attempt_id = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["firm", "-created_at"]),
            models.Index(fields=["subject", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.tag}"


class UserSession(models.Model):
    """A signed-in session, written once at sign-in, so the Security page can list them.

    A session counts as live while the person's session stamp is the one it started with
    (a new stamp ends every other session) and it has not been signed out or aged out.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_stamp = models.CharField(max_length=32)
    browser = models.CharField(max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Wrong passwords at "Confirm your password" in this session (accounts.login_limits).
    wrong_passwords = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
