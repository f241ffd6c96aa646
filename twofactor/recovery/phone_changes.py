"""Lost phones: a self-service phone-number change with a hold, and an admin's reset.

A person who has lost their phone and their number asks for a new number (after a correct
password). The request then moves one way only, each step a conditional UPDATE so a replay
or a race changes nothing:

    proving     a code texted to the NEW number proves the person holds it
    confirming  a signed link emailed to the person's address confirms it is them
    on_hold     PHONE_CHANGE_HOLD_SECONDS from that confirmation; the email address and the
                OLD number are told at once, with a cancel link
    completed   ``apply_due`` (``manage.py process_phone_changes``) sets the new number

It can be cancelled (email link, the person, an admin) or rejected (an admin) while open;
another admin of the firm can approve it early. Nothing else moves ``due_at``.
"""

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts import audit, phones, sessions
from accounts.audit import Tag
from accounts.emails import send_notice
from accounts.models import User
from portal import limits
from portal.links import absolute_url
from portal.request_info import client_ip
from twofactor import methods, notifications, registration
from twofactor.conf import conf
from twofactor.models import PhoneChangeRequest, PhoneDevice
from twofactor.providers import get_provider
from twofactor.providers.base import ProviderError
from twofactor.recovery import email_links
from twofactor.recovery.email_links import Purpose
from twofactor.signin import attempts
from twofactor.sms import send_sms

log = logging.getLogger(__name__)
Status = PhoneChangeRequest.Status
OPEN = PhoneChangeRequest.OPEN
CODE_DIGITS = 6
ALREADY_OPEN = "You already have a phone-number change in progress. Finish or cancel it first."


class RecoveryError(Exception):
    """A step was refused; ``message`` says why, in words for the person."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Reading requests -------------------------------------------------------------------------


def open_request(user: User) -> PhoneChangeRequest | None:
    return PhoneChangeRequest.objects.filter(user=user, status__in=OPEN).first()


def open_requests_for_firm(firm_id: int, *, end_users: bool | None = None):
    """Open requests of a firm's people (employees, end users, or both), oldest first."""
    found = PhoneChangeRequest.objects.filter(
        user__firm_id=firm_id, status__in=OPEN
    ).select_related("user", "user__client")
    if end_users is not None:
        found = found.filter(user__role=User.Role.END_USER) if end_users else found.exclude(
            user__role=User.Role.END_USER
        )
    return found.order_by("created_at")


def link(change: PhoneChangeRequest, purpose: Purpose) -> str:
    path = reverse(
        f"recovery:email_{purpose}",
        kwargs={"request_id": change.pk, "token": email_links.make_token(change, purpose)},
    )
    return absolute_url(path)


def hold_description() -> str:
    """The hold in words: "72 hours" (or seconds, for a short test hold)."""
    seconds = conf.PHONE_CHANGE_HOLD_SECONDS
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds} seconds"


# The code texted to the new number -------------------------------------------------------


def _code_digest(change: PhoneChangeRequest, code: str) -> str:
    return salted_hmac(
        "twofactor.recovery.phone_changes.code", f"{change.pk}:{code}", algorithm="sha256"
    ).hexdigest()


# The person's steps -----------------------------------------------------------------------


def start(
    user: User, new_phone: str, *, request: HttpRequest | None = None, signed_in: bool = False
) -> PhoneChangeRequest:
    """Open a request for ``new_phone`` (E.164, already parsed) and text it a code.
    ``signed_in``: asked from the Security page under the rule for adding a factor, so it
    applies once the new number is proven, with no email step and no hold."""
    if new_phone == user.phone:
        raise RecoveryError(
            "That is already the number on file. With the same number you only need to "
            "reinstall the app; texts still arrive.",
            code="same_number",
        )
    since = timezone.now() - timedelta(days=1)
    if (
        PhoneChangeRequest.objects.filter(user=user, created_at__gte=since).count()
        >= conf.PHONE_CHANGE_MAX_PER_DAY
    ):
        raise RecoveryError(
            "That is as many phone-number changes as one day allows. Try again tomorrow, or "
            "ask your firm's administrator.",
            code="too_many_requests",
        )
    try:
        with transaction.atomic():
            change = PhoneChangeRequest.objects.create(
                user=user,
                old_phone=user.phone,
                new_phone=new_phone,
                signed_in=signed_in,
                ip_address=(request and client_ip(request)) or None,
            )
    except IntegrityError:
        raise RecoveryError(ALREADY_OPEN, code="already_open") from None
    audit.record(Tag.PHONE_CHANGE_REQUESTED, request=request, subject=user,
                 new_phone=phones.mask(new_phone))
    send_code(change, request=request)
    return change


def send_code(change: PhoneChangeRequest, *, request: HttpRequest | None = None) -> None:
    """Text a fresh code to the new number (an older one stops working)."""
    now = timezone.now()
    if change.status != Status.PROVING:
        raise RecoveryError("This request no longer needs a code.", code="not_proving")
    if change.codes_sent >= conf.PHONE_CHANGE_MAX_CODES:
        raise RecoveryError(
            "That is as many codes as one request can send. Cancel it and start again.",
            code="too_many_codes",
        )
    wait_until = (change.code_sent_at or now) + timedelta(
        seconds=conf.PHONE_CHANGE_CODE_RESEND_SECONDS
    )
    if change.code_sent_at and wait_until > now:
        seconds = int((wait_until - now).total_seconds()) + 1
        raise RecoveryError(f"A code was just sent. Try again in {seconds} seconds.",
                            code="cooldown")
    _count_text(change, request)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    sent = PhoneChangeRequest.objects.filter(
        pk=change.pk, status=Status.PROVING, codes_sent=change.codes_sent
    ).update(
        code_digest=_code_digest(change, code),
        code_sent_at=now,
        code_expires_at=now + timedelta(seconds=conf.PHONE_CHANGE_CODE_SECONDS),
        codes_sent=change.codes_sent + 1,
    )
    if not sent:
        raise RecoveryError("A code was just sent. Wait a moment and try again.", code="race")
    minutes = conf.PHONE_CHANGE_CODE_SECONDS // 60
    try:
        send_sms(
            change.new_phone,
            f"Partner Portal: {code} is your code to prove this is your new number. "
            f"It works for {minutes} minutes. Never share it.",
        )
    except ProviderError as exc:
        audit.record(Tag.PROVIDER_FAILED, request=request, subject=change.user,
                     kind=str(exc.kind), during="phone_change_code")
        raise RecoveryError(
            f"We could not text the new number. {exc.user_message} Send a new code in a "
            "minute.",
            code="not_sent",
        ) from None
    change.refresh_from_db()
    audit.record(Tag.PHONE_CHANGE_CODE_SENT, request=request, subject=change.user)


def _count_text(change: PhoneChangeRequest, request: HttpRequest | None) -> None:
    """A text to a typed number spends the sign-in texts' per-address cap and the portal's
    daily budget too (SMS pumping)."""
    subjects: list[tuple[str, object]] = [("sms.portal.day", "portal")]
    if request is not None:
        subjects.insert(0, ("sms.ip", client_ip(request)))
    try:
        limits.hit_all(subjects)
    except limits.RateLimited as tripped:
        audit.record(Tag.SMS_THROTTLED, request=request, subject=change.user, limit=tripped.name)
        raise RecoveryError(
            f"Too many text messages have been sent. You can ask again in {tripped.wait_text}.",
            code="too_many_requests",
        ) from None


def prove(change: PhoneChangeRequest, code: str, *, request: HttpRequest | None = None) -> None:
    """Check the code texted to the new number; on success email the confirm link."""
    if change.status != Status.PROVING:
        raise RecoveryError("This request no longer needs a code.", code="not_proving")
    if change.code_failures >= conf.PHONE_CHANGE_MAX_WRONG_CODES:
        raise RecoveryError(
            "Too many wrong codes. Cancel this request and start again.", code="locked"
        )
    plain = code.strip() if isinstance(code, str) else ""
    right = (
        len(plain) == CODE_DIGITS
        and plain.isascii()
        and plain.isdigit()
        and change.code_expires_at is not None
        and change.code_expires_at > timezone.now()
        and hmac.compare_digest(_code_digest(change, plain), change.code_digest)
    )
    moved = right and PhoneChangeRequest.objects.filter(
        pk=change.pk, status=Status.PROVING, code_digest=change.code_digest
    ).update(status=Status.CONFIRMING, proven_at=timezone.now(), code_digest="")
    if not moved:
        PhoneChangeRequest.objects.filter(pk=change.pk).update(
            code_failures=F("code_failures") + 1
        )
        audit.record(Tag.PHONE_CHANGE_CODE_REJECTED, request=request, subject=change.user)
        raise RecoveryError(
            "That code is not right or has expired. Check the text on your new phone, or "
            "send a new code.",
            code="wrong_code",
        )
    change.refresh_from_db()
    audit.record(Tag.PHONE_CHANGE_PROVEN, request=request, subject=change.user)
    if change.signed_in:
        _apply_now(change, request)
    else:
        send_confirm_email(change)


def _apply_now(change: PhoneChangeRequest, request: HttpRequest | None) -> None:
    """A signed-in person's proven number applies at once; both numbers are texted (the
    completion email tells the email address)."""
    now = timezone.now()
    PhoneChangeRequest.objects.filter(pk=change.pk, status=Status.CONFIRMING).update(
        status=Status.ON_HOLD, confirmed_at=now, due_at=now
    )
    if not apply(change.pk, now, request=request):
        raise RecoveryError(
            "Your new number is proven, but the verification service did not register it "
            "just now. It is retried every minute; until then your old number still works.",
            code="applying_soon",
        )
    change.refresh_from_db()
    new = phones.mask(change.new_phone)
    for number, text in (
        (change.old_phone, f"Partner Portal: your sign-in moved from this number to {new}. "
                           "Not you? Tell your firm's administrator now."),
        (change.new_phone, "Partner Portal: this is now your number for signing in."),
    ):
        if number:
            try:
                send_sms(number, text)
            except Exception:  # the change is made and emailed; a failed notice must not undo it
                log.exception("could not text %s about phone change %s", new, change.pk)


def send_confirm_email(change: PhoneChangeRequest) -> None:
    send_notice(
        change.user,
        "phone_change_confirm",
        "confirm your new phone number",
        {
            "change": change,
            "new_phone": phones.mask(change.new_phone),
            "confirm_url": link(change, Purpose.CONFIRM),
            "cancel_url": link(change, Purpose.CANCEL),
            "hold": hold_description(),
            "link_hours": conf.PHONE_CHANGE_CONFIRM_SECONDS // 3600,
        },
    )


def confirm(
    change: PhoneChangeRequest, token: str, *, request: HttpRequest | None = None
) -> bool:
    """The email link: start the hold, once, and tell the email address and the old number."""
    if not email_links.check_token(change, Purpose.CONFIRM, token):
        return False
    now = timezone.now()
    due = now + timedelta(seconds=conf.PHONE_CHANGE_HOLD_SECONDS)
    if not PhoneChangeRequest.objects.filter(pk=change.pk, status=Status.CONFIRMING).update(
        status=Status.ON_HOLD, confirmed_at=now, due_at=due
    ):
        return False
    change.refresh_from_db()
    audit.record(Tag.PHONE_CHANGE_CONFIRMED, request=request, subject=change.user,
                 due_at=due.isoformat())
    _tell_hold_started(change)
    return True


def _tell_hold_started(change: PhoneChangeRequest) -> None:
    """The person's email and old number at once, with a cancel link; and the firm's
    other admins, who can approve it early or reject it."""
    cancel_url = link(change, Purpose.CANCEL)
    for admin in firm_admins(change.user):
        send_notice(admin, "phone_change_for_admins", f"{change.user} asked for a new number",
                    {"change": change, "new_phone": phones.mask(change.new_phone)})
    send_notice(
        change.user,
        "phone_change_on_hold",
        "your phone number will change",
        {"change": change, "new_phone": phones.mask(change.new_phone), "cancel_url": cancel_url},
    )
    if change.old_phone:
        try:
            send_sms(
                change.old_phone,
                "Partner Portal: someone asked to move your sign-in to a new phone number "
                f"on {change.due_at:%Y-%m-%d %H:%M} UTC. Not you? Cancel: {cancel_url}",
            )
        except Exception:  # the email went out; a failed text must not undo the request
            log.exception("could not text the old number of phone change %s", change.pk)


def firm_admins(person: User) -> list[User]:
    """The admins of the person's firm who may act on their request (never themselves)."""
    return list(
        User.objects.filter(firm_id=person.firm_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=person.pk)
    )


# Closing a request -------------------------------------------------------------------------


# What closing a request records and tells the person, by how it closed.
_CLOSINGS = {
    Status.CANCELLED: (Tag.PHONE_CHANGE_CANCELLED, "phone_change_cancelled",
                       "phone number change cancelled"),
    Status.REJECTED: (Tag.PHONE_CHANGE_REJECTED, "phone_change_rejected",
                      "phone number change refused"),
}


def cancel(
    change: PhoneChangeRequest, *, by: User | None = None, request: HttpRequest | None = None
) -> bool:
    """Cancel an open request (the email link, the person or an admin). True if it was open."""
    return _close(change, Status.CANCELLED, by, request)


def reject(change: PhoneChangeRequest, admin: User, *, request: HttpRequest | None = None) -> bool:
    """An admin refuses the request. True if it was open."""
    return _close(change, Status.REJECTED, admin, request)


def _close(
    change: PhoneChangeRequest, status: str, by: User | None, request: HttpRequest | None
) -> bool:
    closed = PhoneChangeRequest.objects.filter(pk=change.pk, status__in=OPEN).update(
        status=status, closed_at=timezone.now(), closed_by=by
    )
    change.refresh_from_db()
    if not closed:
        return False
    tag, template, subject = _CLOSINGS[status]
    audit.record(tag, request=request, actor=by, subject=change.user)
    send_notice(change.user, template, subject, {"change": change, "by": by})
    return True


def approve_early(
    change: PhoneChangeRequest, admin: User, *, request: HttpRequest | None = None
) -> bool:
    """Another admin of the person's firm ends the hold now and the change applies."""
    if admin.pk == change.user_id:
        raise RecoveryError("You cannot approve your own phone-number change.", code="own")
    if not admin.is_firm_admin or admin.firm_id != change.user.firm_id:
        raise RecoveryError("Only the person's firm admins can approve it.", code="other_firm")
    if change.status != Status.ON_HOLD:
        raise RecoveryError(
            "Only a request whose new number is proven and whose email is confirmed can be "
            "approved.",
            code="not_on_hold",
        )
    if not PhoneChangeRequest.objects.filter(pk=change.pk, status=Status.ON_HOLD).update(
        due_at=timezone.now(), approved_early=True, closed_by=admin
    ):
        return False
    audit.record(Tag.PHONE_CHANGE_APPROVED_EARLY, request=request, actor=admin,
                 subject=change.user)
    return apply(change.pk)


# Applying due changes ----------------------------------------------------------------------


def apply(
    change_id: object, now: datetime | None = None, *, request: HttpRequest | None = None
) -> bool:
    """Apply one due change, exactly once however many runners race (True if this one did).
    ``request``: the signed-in person's own page that applies it at once, named in the email."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            change = (
                PhoneChangeRequest.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=change_id, status=Status.ON_HOLD, due_at__lte=now)
                .first()
            )
            if change is None:
                return False
            user = change.user
            if user.phone != change.old_phone:
                # An admin set a number during the hold: this request is out of date.
                _close(change, Status.CANCELLED, None, None)
                return False
            lost = registration.phone_device(user)
            user.phone = change.new_phone
            user.save(update_fields=["phone"])
            device = registration.register_phone(user)
            # The conditional UPDATE is the claim: on a database without row locks the
            # second runner finds the status already moved and rolls back.
            if not PhoneChangeRequest.objects.filter(pk=change.pk, status=Status.ON_HOLD).update(
                status=Status.COMPLETED, closed_at=now
            ):
                raise _AlreadyApplied
    except _AlreadyApplied:
        return False
    except ProviderError as exc:
        audit.record(Tag.PHONE_CHANGE_FAILED, subject=change.user, reason=str(exc.kind))
        log.warning("phone change %s not applied yet: %s", change_id, exc)
        return False
    _retire(lost, device)
    methods.phone_lost(user)
    sessions.end_all_sessions(user)
    attempts.end_all(user)
    audit.record(Tag.PHONE_CHANGE_COMPLETED, actor=change.closed_by, subject=user,
                 new_phone=phones.mask(user.phone), approved_early=change.approved_early)
    notifications.factors_changed(
        user, "phone_change_completed", "your phone number changed", request=request,
        ip_address=change.ip_address, change=change, old_phone=phones.mask(change.old_phone),
        new_phone=phones.mask(user.phone),
    )
    return True


class _AlreadyApplied(Exception):
    pass


def _retire(lost: PhoneDevice | None, device: PhoneDevice | None) -> None:
    """Remove the lost phone's own registration where the provider made a new one for the
    new number (Authy keys people by number), so the old phone's app stops answering."""
    if lost is None or not lost.provider_ref:
        return
    if device is not None and (lost.provider, lost.provider_ref) == (
        device.provider, device.provider_ref
    ):
        return
    try:
        get_provider(lost.provider).unregister(lost.provider_ref)
    except ProviderError as exc:  # the new number works already; a stale entry is harmless
        log.warning("could not remove the old registration %s: %s", lost.provider_ref, exc)


def apply_due(now: datetime | None = None) -> int:
    """Apply every change whose hold has passed; return how many this run applied."""
    now = now or timezone.now()
    due = PhoneChangeRequest.objects.filter(status=Status.ON_HOLD, due_at__lte=now)
    return sum(apply(change_id, now) for change_id in due.values_list("pk", flat=True))


# An admin's reset of a person's second factor --------------------------------------------


def reset_second_factor(
    person: User, admin: User, *, request: HttpRequest | None = None
) -> None:
    """Start the person's second factor afresh: every sign-in method removes what it holds
    (push apps at the provider, backup codes, security keys, the authenticator app: each
    method's ``reset``), the phone's registration is removed and re-created, every session
    ended; the person is told."""
    if not admin.is_firm_admin or admin.firm_id != person.firm_id:
        raise RecoveryError("Only the person's firm admins can reset it.", code="other_firm")
    removed = methods.reset_all(person)
    registration.forget_phone(person)
    registration.register_phone(person)
    sessions.end_all_sessions(person)
    attempts.end_all(person)
    audit.record(Tag.FACTOR_RESET, request=request, actor=admin, subject=person, **removed)
    send_notice(person, "second_factor_reset", "your second factor was reset",
                {"by": admin, "push_apps_removed": removed.get("push_apps_removed", 0)})
