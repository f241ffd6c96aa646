"""The firm's and clients' rules for security keys and passkeys, as plain functions:
"Allow passkey sign-in without a password" (firm and client) and "Require a security key for
firm admins" (firm). Refused unless the acting admin has a key themselves when requiring
keys; every change is audited, and a weakening (keys no longer required, passkeys allowed
without a password) is told to the firm's other admins."""

from django.db import transaction
from django.http import HttpRequest

from accounts import audit, emails
from accounts.audit import Tag
from accounts.models import Client, Firm, User
from manage.people import NotAllowed
from twofactor import methods
from twofactor.signin import attempts


def check_own_key(actor: User) -> None:
    """An admin without a key who required keys for admins would lock themselves out."""
    if not any(m.phishing_resistant and m.usable(actor) for m in methods.registry()):
        raise NotAllowed(
            "Add a security key of your own first (on your Security page): with keys "
            "required for firm admins, you could not sign in without one."
        )


def weakens(record: Firm | Client, *, passkey_allowed: bool, keys_required: bool) -> bool:
    """Would this change make signing in easier for an attacker?"""
    return (passkey_allowed and not record.passkey_sign_in_allowed) or (
        isinstance(record, Firm) and record.security_key_required_for_admins
        and not keys_required
    )


def set_firm_policy(
    firm: Firm, *, passkey_allowed: bool, keys_required: bool, actor: User,
    request: HttpRequest | None = None,
) -> list[str]:
    """Apply the firm's key settings; the changes made, as sentences for the admins.

    Requiring keys locks the acting admin's row while their own key is checked and the rule
    written, as removing a key does: the admin cannot remove their last key in between."""
    with transaction.atomic():
        if keys_required and not firm.security_key_required_for_admins:
            check_own_key(User.objects.select_for_update().select_related("firm").get(
                pk=actor.pk))
        return _apply_firm_policy(
            firm, passkey_allowed=passkey_allowed, keys_required=keys_required, actor=actor,
            request=request,
        )


def _apply_firm_policy(
    firm: Firm, *, passkey_allowed: bool, keys_required: bool, actor: User,
    request: HttpRequest | None,
) -> list[str]:
    changes: list[str] = []
    weakened: list[str] = []
    if passkey_allowed != firm.passkey_sign_in_allowed:
        Firm.objects.filter(pk=firm.pk).update(passkey_sign_in_allowed=passkey_allowed)
        firm.passkey_sign_in_allowed = passkey_allowed
        tag = Tag.FIRM_PASSKEY_SIGN_IN_ON if passkey_allowed else Tag.FIRM_PASSKEY_SIGN_IN_OFF
        audit.record(tag, request=request, actor=actor, firm=firm)
        sentence = "passkey sign-in without a password is now " + (
            "allowed" if passkey_allowed else "not allowed")
        changes.append(sentence)
        if passkey_allowed:
            weakened.append(sentence)
    if keys_required != firm.security_key_required_for_admins:
        Firm.objects.filter(pk=firm.pk).update(security_key_required_for_admins=keys_required)
        firm.security_key_required_for_admins = keys_required
        tag = Tag.FIRM_ADMIN_KEYS_REQUIRED if keys_required else Tag.FIRM_ADMIN_KEYS_NOT_REQUIRED
        audit.record(tag, request=request, actor=actor, firm=firm)
        sentence = "firm admins " + (
            "must now sign in with a security key" if keys_required
            else "no longer need a security key to sign in")
        changes.append(sentence)
        if keys_required:
            # Admins' sign-ins in progress began under the old rule: they start again.
            attempts.end_all_where(user__firm=firm, user__role=User.Role.ADMIN)
        else:
            weakened.append(sentence)
    if weakened:  # told once the change stands, not while the admin's row is locked
        told = "; ".join(weakened)
        transaction.on_commit(lambda: _tell_other_admins(actor, firm, told), robust=True)
    return changes


def set_client_policy(
    client: Client, *, passkey_allowed: bool, actor: User, request: HttpRequest | None = None
) -> list[str]:
    if passkey_allowed == client.passkey_sign_in_allowed:
        return []
    Client.objects.filter(pk=client.pk).update(passkey_sign_in_allowed=passkey_allowed)
    client.passkey_sign_in_allowed = passkey_allowed
    tag = Tag.CLIENT_PASSKEY_SIGN_IN_ON if passkey_allowed else Tag.CLIENT_PASSKEY_SIGN_IN_OFF
    audit.record(tag, request=request, actor=actor, firm=actor.firm, client=client.name)
    sentence = f"passkey sign-in without a password is now {'' if passkey_allowed else 'not '}" \
        "allowed"
    if passkey_allowed:
        _tell_other_admins(actor, client, sentence)
    return [sentence]


def _tell_other_admins(actor: User, target: Firm | Client, change: str) -> None:
    others = User.objects.filter(
        firm_id=actor.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=actor.pk)
    for admin in others:
        emails.send_notice(
            admin, "security_policy_weakened", f"sign-in rules changed for {target}",
            {"admin": actor, "target": target, "change": change},
        )
