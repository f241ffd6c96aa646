"""SMS: a token texted to the number on file, typed into "Token or Security Key"."""

from accounts.audit import Tag
from twofactor.methods import Method

METHOD = Method(
    name="sms",
    label="SMS",
    usable=lambda user: bool(user.phone),
    challenge_template="twofactor/methods/sms/challenge.html",
    set_up_among="twofactor.devices.with_a_number_among",
    audit_tags=(Tag.SMS_SENT, Tag.SMS_THROTTLED),
)
