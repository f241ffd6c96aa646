"""The audit log: a tag per kind of event, recorded in one call.

Tags read like a sentence and filter well (warehouse's style): ``account:login:failed``.
Never record a token, code, password or full phone number in ``data``.
"""

import enum
from typing import Any

from django.http import HttpRequest

from accounts.models import AuditEvent, Firm, User
from portal.request_info import client_ip, user_agent


class Tag(enum.StrEnum):
    # Signing in and out
    PASSWORD_ACCEPTED = "account:login:password_accepted"
    PASSWORD_REFUSED = "account:login:password_refused"
    LOGIN_THROTTLED = "account:login:throttled"
    SIGNED_IN = "account:login:signed_in"
    SIGNED_OUT = "account:logout"
    SESSION_EXPIRED = "account:session:expired"
    OTHER_SESSIONS_ENDED = "account:session:others_ended"
    # Second factor
    PUSH_SENT = "account:two_factor:push_sent"
    PUSH_APPROVED = "account:two_factor:push_approved"
    PUSH_DENIED = "account:two_factor:push_denied"
    PUSH_EXPIRED = "account:two_factor:push_expired"
    PUSH_THROTTLED = "account:two_factor:push_throttled"
    SMS_SENT = "account:two_factor:sms_sent"
    SMS_THROTTLED = "account:two_factor:sms_throttled"
    TOKEN_ACCEPTED = "account:two_factor:token_accepted"
    TOKEN_REJECTED = "account:two_factor:token_rejected"
    FACTOR_LOCKED = "account:two_factor:locked"
    FACTOR_UNLOCKED = "account:two_factor:unlocked"
    NO_PHONE_ON_FILE = "account:two_factor:no_phone"
    PROVIDER_FAILED = "account:two_factor:provider_failed"
    ATTEMPT_EXPIRED = "account:two_factor:attempt_expired"
    SECOND_FACTOR_REQUIRED = "account:two_factor:required_again"
    FACTOR_CONFIRMED = "account:two_factor:confirmed"
    BACKUP_CODES_GENERATED = "account:two_factor:backup_codes_generated"
    BACKUP_CODE_USED = "account:two_factor:backup_code_used"
    BACKUP_CODE_REJECTED = "account:two_factor:backup_code_rejected"
    FACTOR_RESET = "account:two_factor:reset"
    FACTOR_REMOVED = "account:two_factor:factor_removed"  # one factor, by an admin
    # Lost phones: self-service phone-number changes
    PHONE_CHANGE_REQUESTED = "account:phone_change:requested"
    PHONE_CHANGE_CODE_SENT = "account:phone_change:code_sent"
    PHONE_CHANGE_CODE_REJECTED = "account:phone_change:code_rejected"
    PHONE_CHANGE_PROVEN = "account:phone_change:number_proven"
    PHONE_CHANGE_CONFIRMED = "account:phone_change:email_confirmed"
    PHONE_CHANGE_LINK_REFUSED = "account:phone_change:link_refused"
    PHONE_CHANGE_CANCELLED = "account:phone_change:cancelled"
    PHONE_CHANGE_APPROVED_EARLY = "account:phone_change:approved_early"
    PHONE_CHANGE_REJECTED = "account:phone_change:rejected"
    PHONE_CHANGE_COMPLETED = "account:phone_change:completed"
    PHONE_CHANGE_FAILED = "account:phone_change:failed"
    # Administration
    FIRM_TWO_FACTOR_ON = "firm:two_factor:enabled"
    FIRM_TWO_FACTOR_OFF = "firm:two_factor:disabled"
    CLIENT_TWO_FACTOR_ON = "client:two_factor:enabled"
    CLIENT_TWO_FACTOR_OFF = "client:two_factor:disabled"
    CLIENT_ADDED = "client:created"
    CLIENT_RENAMED = "client:renamed"
    PHONE_CHANGED = "account:phone:changed"
    ROLE_CHANGED = "account:role:changed"
    PROFILE_CHANGED = "account:profile:changed"
    PERSON_ADDED = "account:created"
    INVITATION_SENT = "account:invitation:sent"
    PERSON_DEACTIVATED = "account:deactivated"
    PERSON_REACTIVATED = "account:reactivated"
    PASSWORD_SET = "account:password:set"
    PASSWORD_RESET_REQUESTED = "account:password:reset_requested"
    PASSWORD_RESET_THROTTLED = "account:password:reset_throttled"
    REAUTHENTICATED = "account:reauthenticated"


def record(
    tag: Tag,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    subject: User | None = None,
    firm: Firm | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one audit event. The firm defaults to the subject's, then the actor's."""
    person = subject or actor
    return AuditEvent.objects.create(
        tag=str(tag),
        firm_id=firm.pk if firm else (person.firm_id if person else None),
        actor=actor,
        subject=subject,
        ip_address=(client_ip(request) or None) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        data={key: _storable(value) for key, value in data.items()},
    )


def _storable(value: Any) -> Any:
    """Text as typed, less NUL characters, which PostgreSQL's text and jsonb refuse."""
    return value.replace("\x00", "") if isinstance(value, str) else value
