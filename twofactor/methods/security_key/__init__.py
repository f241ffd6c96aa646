"""Security keys and passkeys (WebAuthn): the phishing-resistant way, so it comes first.

A key answers on its own part of the challenge page ("Use a security key"), above the typed
field; a passkey (a discoverable key with user verification) can also sign in from the
login page where the firm or client allows it ("Sign in with a passkey").
"""

from accounts.audit import Tag
from twofactor.methods import Method


def _has_keys(user) -> bool:
    from twofactor.methods.security_key import keys

    return keys.has_keys(user)


METHOD = Method(
    name="security_key",
    label="Security key",
    usable=_has_keys,
    typed=False,
    challenge_template="twofactor/methods/security_key/challenge.html",
    challenge_context="twofactor.methods.security_key.views.challenge_context",
    security_template="twofactor/methods/security_key/security.html",
    security_context="twofactor.methods.security_key.keys.security_context",
    set_up_among="twofactor.methods.security_key.keys.with_keys_among",
    audit_tags=(
        Tag.SECURITY_KEY_ADDED,
        Tag.SECURITY_KEY_REMOVED,
        Tag.SECURITY_KEY_REFUSED,
        Tag.PASSKEY_REFUSED,
        Tag.KEY_REQUIRED_REFUSED,
        Tag.KEY_REQUIRED_RECOVERY,
    ),
)
