"""The audit tags of push requests and the phone apps that answer them, and their words for
the Activity page (listed under "Second factor"; the method registers them:
``Method.audit_words``)."""

import enum


class PushTag(enum.StrEnum):
    PUSH_SENT = "account:two_factor:push_sent"
    PUSH_APPROVED = "account:two_factor:push_approved"
    PUSH_DENIED = "account:two_factor:push_denied"
    PUSH_EXPIRED = "account:two_factor:push_expired"
    PUSH_THROTTLED = "account:two_factor:push_throttled"
    PUSH_APP_ADDED = "account:two_factor:push_app_added"
    PUSH_APP_REMOVED = "account:two_factor:push_app_removed"
    PUSH_PROVIDER_SKIPPED = "account:two_factor:push_provider_skipped"


WORDS = {
    PushTag.PUSH_SENT: "Was sent a sign-in request on the phone",
    PushTag.PUSH_APPROVED: "Approved a sign-in on the phone",
    PushTag.PUSH_DENIED: "Denied a sign-in on the phone",
    PushTag.PUSH_EXPIRED: "Let a sign-in request on the phone expire",
    PushTag.PUSH_THROTTLED: "Was held back: too many requests to the phone",
    PushTag.PUSH_APP_ADDED: "Set up a phone app for push approvals",
    PushTag.PUSH_APP_REMOVED: "Removed a phone app for push approvals",
    PushTag.PUSH_PROVIDER_SKIPPED: "Was sent a sign-in request in the Partner Portal app only "
                                   "(the provider's app could not be reached)",
}
