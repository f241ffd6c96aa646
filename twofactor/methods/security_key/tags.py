"""The audit tags of security keys and passkeys, and their words for the Activity page (listed
under "Second factor"; the method registers them: ``Method.audit_words``)."""

import enum


class KeyTag(enum.StrEnum):
    SECURITY_KEY_ADDED = "account:security_key:added"
    SECURITY_KEY_REMOVED = "account:security_key:removed"
    SECURITY_KEY_REFUSED = "account:security_key:refused"
    PASSKEY_REFUSED = "account:passkey:refused"


WORDS = {
    KeyTag.SECURITY_KEY_ADDED: "Added a security key",
    KeyTag.SECURITY_KEY_REMOVED: "Removed a security key",
    KeyTag.SECURITY_KEY_REFUSED: "Had a security key refused",
    KeyTag.PASSKEY_REFUSED: "Had a passkey sign-in refused",
}
