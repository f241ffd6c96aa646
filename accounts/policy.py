"""Who needs a second factor: one answer, used by the login view and the middleware.

Reads only the person and the firm or client already loaded with them (the auth backend
selects them together), so asking costs no query.
"""

from accounts.models import User


def needs_second_factor(user: User) -> bool:
    """Employees and firm admins when their firm says Yes; end users when their client does."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_end_user:
        return user.client.two_factor_required
    return user.firm.two_factor_required


def passkey_sign_in_allowed(user: User) -> bool:
    """May a passkey sign this person in without a password? Their firm says so for
    employees and firm admins, their client for end users."""
    if user.is_end_user:
        return user.client.passkey_sign_in_allowed
    return user.firm.passkey_sign_in_allowed


def may_remember_browser(user: User) -> bool:
    """Whether the person's firm (or, for end users, their client) allows "Don't ask again
    on this browser for 30 days"."""
    if user.is_end_user:
        return user.client.allow_remembered_browsers
    return user.firm.allow_remembered_browsers


def needs_security_key(user: User) -> bool:
    """A firm admin whose firm requires a security key: only a key satisfies their second
    step (a remembered browser never does)."""
    return user.is_firm_admin and user.firm.security_key_required_for_admins


def allowed_methods(user: User) -> list[str] | None:
    """The ways of answering ``user``'s firm (or, for an end user, client) allows, by
    method name; None allows every way. Backup codes are recovery, never in the list."""
    holder = user.client if user.is_end_user else user.firm
    return holder.allowed_methods


def method_allowed(user: User, name: str) -> bool:
    allowed = allowed_methods(user)
    return allowed is None or name in allowed
