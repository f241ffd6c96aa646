"""Who needs a second factor and how they may answer: one answer, used by the login view,
the middleware and the second step.

A person's policy is held by their firm (employees and firm admins) or their client (end
users); ``holder_of`` picks it, and every question about the policy itself takes the holder.
The holder comes loaded with the person (the auth backend selects them together), so asking
costs no query.
"""

from accounts.models import Client, Firm, PolicyHolder, User


def holder_of(person: User) -> Firm | Client:
    """Whose policy covers ``person``: their client for an end user, their firm otherwise."""
    return person.client if person.is_end_user else person.firm


def needs_second_factor(user: User) -> bool:
    """A signed-in, active person whose firm (or client) requires two-factor authentication.
    A question about the person (anonymous and inactive people need nothing), answered by
    their holder."""
    if not user.is_authenticated or not user.is_active:
        return False
    return holder_of(user).two_factor_required


def passkey_sign_in_allowed(holder: PolicyHolder) -> bool:
    """May a passkey sign ``holder``'s people in without a password?"""
    return holder.passkey_sign_in_allowed


def may_remember_browser(holder: PolicyHolder) -> bool:
    """Does ``holder`` allow "Don't ask again on this browser for 30 days"?"""
    return holder.allow_remembered_browsers


def needs_security_key(user: User) -> bool:
    """A firm admin whose firm requires a security key: only a key satisfies their second
    step (a remembered browser never does). Only a firm holds this rule."""
    return user.is_firm_admin and user.firm.security_key_required_for_admins


def allowed_methods(holder: PolicyHolder) -> list[str] | None:
    """The ways of answering ``holder`` allows, by method name; None allows every way.
    Backup codes are recovery, never in the list."""
    return holder.allowed_methods


def method_allowed(holder: PolicyHolder, name: str) -> bool:
    allowed = allowed_methods(holder)
    return allowed is None or name in allowed
