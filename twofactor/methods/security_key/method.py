"""Security keys and passkeys (WebAuthn): the phishing-resistant way, so it comes first.

A key answers on its own part of the challenge page ("Use a security key"), above the typed
field; a passkey (a discoverable key with user verification) can also sign in from the
login page where the firm or client allows it ("Sign in with a passkey").
"""

from __future__ import annotations

from twofactor.methods import Method
from twofactor.methods.security_key import tags


class SecurityKeyMethod(Method):
    name = "security_key"
    label = "Security key"
    noun = "a security key"
    reset_words = "their security keys and passkeys"
    typed = False
    phishing_resistant = True  # satisfies "Require a security key for firm admins"
    set_up_url = "security_key_add"
    set_up_label = "A security key"
    set_up_help = "A USB or NFC key, or this device's passkey: touch it to sign in."
    set_up_order = 1
    signed_in_words = "with a security key"
    also_recorded_as = {"passkey": "with a passkey"}  # both factors at once, from the login page
    wrong_reason = "security_key"
    challenge_template = "twofactor/methods/security_key/challenge.html"
    security_template = "twofactor/methods/security_key/security.html"
    device_models = ("security_key.securitykey",)
    audit_words = tags.WORDS
    sign_in_results = {tags.KeyTag.PASSKEY_REFUSED: ("passkey", "rejected")}

    def usable(self, user) -> bool:
        from twofactor.methods.security_key import keys

        return keys.has_keys(user)

    def set_up_among(self, user_ids) -> set[int]:
        from twofactor.methods.security_key import keys

        return keys.with_keys_among(user_ids)

    def challenge_context(self, request, attempt) -> dict:
        from twofactor.methods.security_key import views

        return views.challenge_context(request, attempt)

    def security_context(self, request) -> dict:
        from twofactor.methods.security_key import keys

        return keys.security_context(request)

    def wrong_message(self, user) -> str:
        return "That security key is not registered to this account."

    def reset(self, person) -> dict[str, int]:
        from twofactor.methods.security_key import keys

        return {"security_keys_removed": keys.remove_all(person)}
