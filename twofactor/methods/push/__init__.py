"""Push: a OneTouch request to the phone app, approved or denied there."""

from accounts.audit import Tag
from twofactor.methods import Method

METHOD = Method(
    name="push",
    label="Push",
    usable=lambda user: bool(user.phone),
    typed=False,
    challenge_template="twofactor/methods/push/challenge.html",
    challenge_context="twofactor.methods.push.views.challenge_context",
    security_template="twofactor/methods/push/security.html",
    security_context="twofactor.methods.push.security.security_context",
    set_up_among="twofactor.devices.registered_among",
    removable="twofactor.methods.push.devices.removable",
    remove="twofactor.methods.push.devices.remove",
    audit_tags=(
        Tag.PUSH_SENT,
        Tag.PUSH_APPROVED,
        Tag.PUSH_DENIED,
        Tag.PUSH_EXPIRED,
        Tag.PUSH_THROTTLED,
        Tag.PUSH_APP_ADDED,
        Tag.PUSH_APP_REMOVED,
    ),
)
