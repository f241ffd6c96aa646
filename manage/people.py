"""What a firm admin does to people, clients and the two-factor settings, as plain functions.

Views call these; tests can call them without a request. A change that touches the
provider runs in a transaction and calls the provider last, so a refusal saves nothing.
Audit events, ended sessions and emails follow only a committed change.
"""

import hashlib
import logging
import smtplib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from accounts import audit, emails, phones
from accounts.audit import Tag
from accounts.models import Client, Firm, User
from accounts.policy import needs_second_factor
from accounts.tokens import encode_uid, invitation_tokens
from twofactor import methods, notifications, registration
from twofactor.enrolment import windows
from twofactor.providers import get_provider
from twofactor.remember import browsers as remembered
from twofactor.signin import attempts, lockout

logger = logging.getLogger(__name__)

EMPLOYEE_ROLES = (User.Role.ADMIN, User.Role.TECH)


class StaleEdit(Exception):
    """Someone else changed the record after the form was shown."""

    def __init__(self, current: object) -> None:
        super().__init__("changed meanwhile")
        self.current = current


class NotAllowed(Exception):
    """The change would break a rule (e.g. leave the firm without an active admin)."""


@dataclass(frozen=True)
class Profile:
    """What an admin may set on a person: never the firm, never the client."""

    full_name: str
    email: str
    phone: str
    role: str


def version_of(record: User | Client) -> str:
    """A fingerprint of what the edit forms show; a changed one means a stale form."""
    if isinstance(record, Client):
        parts = [record.name]
    else:
        parts = [record.email, record.full_name, record.role, record.phone, str(record.is_active)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def employees(firm: Firm) -> QuerySet[User]:
    return User.objects.filter(firm=firm, role__in=EMPLOYEE_ROLES)


def end_users(client: Client) -> QuerySet[User]:
    return User.objects.filter(firm_id=client.firm_id, client=client, role=User.Role.END_USER)


def without_phone(people: QuerySet[User]) -> QuerySet[User]:
    """Active people with no mobile number: 2FA would leave them unable to sign in."""
    return people.filter(is_active=True, phone="").order_by("full_name", "id")


def _ensure_another_admin(person: User) -> None:
    """Refuse a change that would leave the firm without an active admin.

    The firm row is locked first, so two admins demoting each other at once cannot both win.
    """
    Firm.objects.select_for_update().filter(pk=person.firm_id).first()
    others = User.objects.filter(
        firm_id=person.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=person.pk)
    if not others.exists():
        raise NotAllowed(
            f"{person} is the last active admin of {person.firm}. Make someone else an admin first."
        )


def _locked(person_id: int) -> User:
    return (
        User.objects.select_for_update(of=("self",))
        .select_related("firm", "client")
        .get(pk=person_id)
    )


@dataclass(frozen=True)
class ProfileChange:
    person: User
    phone_changed: bool
    role_changed: bool


def save_profile(
    person_id: int,
    profile: Profile,
    version: str,
    *,
    actor: User,
    request: HttpRequest | None = None,
) -> ProfileChange:
    """Apply an admin's edit, or raise StaleEdit, NotAllowed, ProviderError, IntegrityError."""
    with transaction.atomic():
        person = _locked(person_id)
        if version_of(person) != version:
            raise StaleEdit(person)
        before = User(
            full_name=person.full_name, email=person.email, phone=person.phone, role=person.role
        )
        if person.pk == actor.pk and profile.phone != person.phone:
            raise NotAllowed(
                "You change your own number on your Security page, with a code texted to the "
                "new number."
            )
        if person.role == User.Role.ADMIN and profile.role != User.Role.ADMIN:
            _ensure_another_admin(person)
        person.full_name, person.email = profile.full_name, profile.email
        person.phone, person.role = profile.phone, profile.role
        person.save(update_fields=["full_name", "email", "phone", "role"])
        phone_changed = before.phone != person.phone
        if phone_changed:
            registration.register_phone(person)  # last: a ProviderError rolls everything back
    _after_profile_change(person, before, actor=actor, request=request)
    return ProfileChange(person, phone_changed, before.role != person.role)


def _after_profile_change(
    person: User, before: User, *, actor: User, request: HttpRequest | None
) -> None:
    if before.phone != person.phone:
        person.end_other_sessions()
        attempts.end_all(person)
        old, new = phones.mask(before.phone), phones.mask(person.phone)
        audit.record(
            Tag.PHONE_CHANGED, request=request, actor=actor, subject=person, old=old, new=new
        )
        notifications.factors_changed(
            person,
            "phone_changed_by_admin",
            "your mobile phone number was changed",
            request=request,
            old_number=old,
            new_number=new,
            admin=actor,
        )
    if before.role != person.role:
        audit.record(
            Tag.ROLE_CHANGED,
            request=request,
            actor=actor,
            subject=person,
            old=before.role,
            new=person.role,
        )
    if before.email != person.email:
        # Told at the old address: a silent change would let a reset link go elsewhere.
        emails.send_notice(
            _at_address(person, before.email),
            "email_changed_by_admin",
            "your sign-in email was changed",
            {"old_email": before.email, "new_email": person.email, "admin": actor},
        )
    changed = [f for f in ("full_name", "email") if getattr(before, f) != getattr(person, f)]
    if changed:
        audit.record(
            Tag.PROFILE_CHANGED, request=request, actor=actor, subject=person, fields=changed
        )


def _at_address(person: User, email: str) -> User:
    """The same person, addressed at ``email`` (for a notice to a former address)."""
    return User(pk=person.pk, full_name=person.full_name, email=email, firm_id=person.firm_id)


def invite(
    profile: Profile,
    *,
    firm: Firm,
    client: Client | None,
    actor: User,
    request: HttpRequest | None = None,
) -> tuple[User, bool]:
    """Add a person with no password and email them a link to set one.

    Returns the person and whether the invitation email went out.
    """
    with transaction.atomic():
        person = User(
            full_name=profile.full_name,
            email=profile.email,
            phone=profile.phone,
            role=profile.role,
            firm=firm,
            client=client,
        )
        person.set_unusable_password()
        person.save()
        if person.phone:
            registration.register_phone(person)
    audit.record(Tag.PERSON_ADDED, request=request, actor=actor, subject=person, role=person.role)
    return person, send_invitation(person, actor=actor, request=request)


def send_invitation(person: User, *, actor: User, request: HttpRequest | None = None) -> bool:
    """Email the link that sets a first password; False if the mail server refused it."""
    path = reverse(
        "invitation",
        kwargs={"uidb64": encode_uid(person), "token": invitation_tokens.make_token(person)},
    )
    try:
        emails.send_notice(
            person,
            "invitation",
            f"{actor.firm} invited you",
            {
                "link_path": path,
                "admin": actor,
                "firm": actor.firm,
                "needs_second_factor": needs_second_factor(person),
                "phone_app_name": get_provider().app_name,
            },
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the invitation to person %s", person.pk)
        return False
    audit.record(Tag.INVITATION_SENT, request=request, actor=actor, subject=person)
    windows.open_window(person, request=request)  # the invitation's: by no admin
    return True


def open_set_up_window(person: User, *, actor: User, request: HttpRequest | None = None) -> None:
    """Let ``person`` set up a first way to sign in with their password and an emailed code
    for ``ENROLMENT_WINDOW_DAYS`` (outweighing an earlier reset of their factors)."""
    if person.pk == actor.pk:
        raise NotAllowed("You cannot open a set-up window for yourself.")
    if not person.is_active:
        raise NotAllowed(f"{person} is deactivated: reactivate them first.")
    windows.open_window(person, by=actor, request=request)


def set_active(
    person_id: int, active: bool, *, actor: User, request: HttpRequest | None = None
) -> User:
    """Deactivate (every session ends) or reactivate a person."""
    with transaction.atomic():
        person = _locked(person_id)
        if person.is_active == active:
            return person
        if not active and person.role == User.Role.ADMIN:
            _ensure_another_admin(person)
        person.is_active = active
        person.save(update_fields=["is_active"])
    if not active:
        person.end_other_sessions()  # sessions and half-finished sign-ins alike
        methods.deactivated(person)
    tag = Tag.PERSON_REACTIVATED if active else Tag.PERSON_DEACTIVATED
    audit.record(tag, request=request, actor=actor, subject=person)
    return person


def unlock(person: User, *, actor: User, request: HttpRequest | None = None) -> bool:
    """Lift a wrong-token lock; True if there was one."""
    lifted = lockout.unlock(person)
    if lifted:
        audit.record(Tag.FACTOR_UNLOCKED, request=request, actor=actor, subject=person)
    return lifted


def check_own_phone(actor: User) -> None:
    """An admin without a number who turned 2FA on would lock themselves out at once."""
    if not actor.phone:
        raise NotAllowed(
            "Add your own mobile phone number first (on your Security page): with "
            "two-factor authentication on, you could not sign in without it."
        )


def set_firm_two_factor(
    firm: Firm, on: bool, *, actor: User, request: HttpRequest | None = None
) -> bool:
    """Turn the partner account's 2FA on or off; True if it changed."""
    if on:
        check_own_phone(actor)
    tag = Tag.FIRM_TWO_FACTOR_ON if on else Tag.FIRM_TWO_FACTOR_OFF
    return _switch(firm, on, tag, str(firm), actor=actor, request=request)


def set_client_two_factor(
    client: Client, on: bool, *, actor: User, request: HttpRequest | None = None
) -> bool:
    """Turn 2FA for a client's end users on or off; True if it changed."""
    tag = Tag.CLIENT_TWO_FACTOR_ON if on else Tag.CLIENT_TWO_FACTOR_OFF
    return _switch(
        client, on, tag, f"{client}'s end users", actor=actor, request=request, client=client.name
    )


def _covered(holder: Firm | Client) -> dict[str, object]:
    """Lookups for the people whose sign-in ``holder`` sets (the inverse of
    ``policy.holder_of``): a client's end users, or a firm's employees and firm admins."""
    if isinstance(holder, Client):
        return {"client": holder}
    return {"firm": holder, "client__isnull": True}


def _switch(
    record: Firm | Client,
    on: bool,
    tag: Tag,
    what: str,
    *,
    actor: User,
    request: HttpRequest | None,
    **data: str,
) -> bool:
    """Flip ``two_factor_required`` only if it differs (so a double submit is one event);
    turning it off is told to the firm's other admins."""
    changed = (
        type(record)
        .objects.filter(pk=record.pk, two_factor_required=not on)
        .update(two_factor_required=on)
    )
    if not changed:
        return False
    record.two_factor_required = on
    # Sign-ins waiting for a second factor started under the old policy: they end.
    attempts.end_all_where(**{f"user__{key}": value for key, value in _covered(record).items()})
    audit.record(tag, request=request, actor=actor, firm=actor.firm, **data)
    if not on:
        _tell_other_admins(actor, f"two-factor authentication was turned off for {what}", record)
    return True


def set_remember_browsers(
    record: Firm | Client, on: bool, *, actor: User, request: HttpRequest | None = None
) -> bool:
    """Allow or stop "Don't ask again on this browser for 30 days" for the firm's employees
    or a client's end users; turning it off forgets every browser they remembered."""
    changed = type(record).objects.filter(
        pk=record.pk, allow_remembered_browsers=not on
    ).update(allow_remembered_browsers=on)
    record.allow_remembered_browsers = on
    if not on:  # also when unchanged: nothing remembered may outlive "off"
        remembered.forget_where(**_covered(record))
    if changed:
        if isinstance(record, Client):
            tag = Tag.CLIENT_REMEMBER_BROWSERS_ON if on else Tag.CLIENT_REMEMBER_BROWSERS_OFF
            audit.record(tag, request=request, actor=actor, firm=actor.firm, client=record.name)
        else:
            tag = Tag.FIRM_REMEMBER_BROWSERS_ON if on else Tag.FIRM_REMEMBER_BROWSERS_OFF
            audit.record(tag, request=request, actor=actor, firm=actor.firm)
    return bool(changed)


def _tell_other_admins(actor: User, subject: str, target: Firm | Client) -> None:
    others = User.objects.filter(
        firm_id=actor.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=actor.pk)
    for admin in others:
        emails.send_notice(
            admin, "two_factor_turned_off", subject, {"admin": actor, "target": target}
        )


def policy_choices() -> list[tuple[str, str]]:
    """(name, label) of every way a firm or client may allow, strongest first."""
    return [(method.name, method.label) for method in methods.in_policy()]


def allowed_now(holder: Firm | Client) -> list[str]:
    """The method names ``holder`` allows now (every one, when it never chose)."""
    names = [name for name, _ in policy_choices()]
    chosen = holder.allowed_methods
    return names if chosen is None else [name for name in names if name in chosen]


def weakens(holder: Firm | Client, chosen: list[str]) -> bool:
    """Would allowing only ``chosen`` take away a way ``holder`` allows now?"""
    return bool(set(allowed_now(holder)) - set(chosen))


def set_allowed_methods(
    holder: Firm | Client,
    chosen: list[str],
    *,
    actor: User,
    request: HttpRequest | None = None,
) -> bool:
    """Allow only the ways ``chosen`` (method names) for ``holder``'s people; True if it
    changed. Everything ticked is stored as None: every way, also ones added later.
    Audited; a way taken away is told to the firm's other admins."""
    names = [name for name, _ in policy_choices()]
    chosen = [name for name in names if name in chosen]
    before = allowed_now(holder)
    if chosen == before:
        return False
    value = None if chosen == names else chosen
    type(holder).objects.filter(pk=holder.pk).update(allowed_methods=value)
    holder.allowed_methods = value
    removed = [name for name in before if name not in chosen]
    is_client = isinstance(holder, Client)
    tag = Tag.CLIENT_METHODS_CHANGED if is_client else Tag.FIRM_METHODS_CHANGED
    extra = {"client": holder.name} if is_client else {}
    audit.record(
        tag, request=request, actor=actor, firm=actor.firm,
        allowed=chosen, removed=removed, **extra,
    )
    if removed:
        labels = dict(policy_choices())
        what = f"{holder}'s end users" if is_client else str(holder)
        others = User.objects.filter(
            firm_id=actor.firm_id, role=User.Role.ADMIN, is_active=True
        ).exclude(pk=actor.pk)
        for admin in others:
            emails.send_notice(
                admin,
                "sign_in_methods_restricted",
                f"fewer ways to sign in for {what}",
                {
                    "admin": actor,
                    "target": holder,
                    "what": what,
                    "removed": [labels[name] for name in removed],
                    "allowed": [labels[name] for name in chosen],
                },
            )
    return True


def add_client(firm: Firm, name: str, *, actor: User, request: HttpRequest | None = None) -> Client:
    client = Client.objects.create(firm=firm, name=name)
    audit.record(Tag.CLIENT_ADDED, request=request, actor=actor, firm=firm, client=name)
    return client


def rename_client(
    client_id: int, name: str, version: str, *, actor: User, request: HttpRequest | None = None
) -> Client:
    """Rename a client, or raise StaleEdit / IntegrityError (name taken meanwhile)."""
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client_id)
        if version_of(client) != version:
            raise StaleEdit(client)
        old, client.name = client.name, name
        client.save(update_fields=["name"])
    if old != name:
        audit.record(
            Tag.CLIENT_RENAMED, request=request, actor=actor, firm=actor.firm, old=old, new=name
        )
    return client
