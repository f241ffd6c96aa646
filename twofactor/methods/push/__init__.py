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
    removable="twofactor.methods.push.devices.removable",
    remove="twofactor.methods.push.devices.remove",
    audit_tags=(
        Tag.PUSH_SENT,
        Tag.PUSH_APPROVED,
        Tag.PUSH_DENIED,
        Tag.PUSH_EXPIRED,
        Tag.PUSH_THROTTLED,
    ),
)
