"""Authenticator apps (TOTP, RFC 6238): a code from the app, typed into "Token or Security
Key", checked here without any provider."""

from accounts.audit import Tag
from twofactor.methods import Method


def _has_app(user) -> bool:
    from twofactor.methods.totp import authenticator

    return authenticator.has_app(user)


METHOD = Method(
    name="totp",
    label="Authenticator app",
    usable=_has_app,
    challenge_template="twofactor/methods/totp/challenge.html",
    security_template="twofactor/methods/totp/security.html",
    security_context="twofactor.methods.totp.authenticator.security_context",
    set_up_among="twofactor.methods.totp.authenticator.with_apps_among",
    audit_tags=(
        Tag.AUTHENTICATOR_APP_ADDED,
        Tag.AUTHENTICATOR_APP_REMOVED,
        Tag.AUTHENTICATOR_APP_SETUP_REJECTED,
    ),
)
