"""A person's security keys: registering one (the WebAuthn ceremony's server side), checking
an assertion, removing keys. Built on ``webauthn`` (py_webauthn).

The relying party is ``PUBLIC_BASE_URL``: its host is the RP ID and the origin must be it
exactly. Attestation is "none" (the portal trusts the person who added the key, not the
key's maker); a key is stored with its public key, sign count, transports, AAGUID and
backup flags.
"""

import base64
import secrets
from collections.abc import Collection
from urllib.parse import urlsplit

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, parse_authentication_credential_json
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts import audit, policy
from accounts.emails import send_notice
from accounts.models import User
from portal import links
from portal.text import SingleLineField
from twofactor.conf import conf
from twofactor.methods.security_key.models import KeyOwner, SecurityKey
from twofactor.methods.security_key.tags import KeyTag

RP_NAME = "Partner Portal"
NAME_MAX = 64
TRANSPORTS = frozenset(t.value for t in AuthenticatorTransport)
_NAME_LENGTH = f"Give the key a name of 1 to {NAME_MAX} characters."


class Refused(Exception):
    """A key's answer that cannot be accepted: ``reason`` for the audit log, ``message`` for
    the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def rp_id() -> str:
    """PUBLIC_BASE_URL's host (in development, the host the portal is reached at)."""
    return urlsplit(links.base_url()).hostname or ""


def origin() -> str:
    url = urlsplit(links.base_url())
    return f"{url.scheme}://{url.netloc}"


def has_keys(user: User) -> bool:
    return SecurityKey.objects.filter(user=user).exists()


def with_keys_among(user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` have a security key, in one query (the people tables)."""
    return set(
        SecurityKey.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )


def keys_of(user: User) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user))


def handle_for(user: User) -> bytes:
    """The person's WebAuthn user handle: 64 random bytes, made once."""
    owner = KeyOwner.objects.filter(user=user).first()
    if owner is None:
        try:
            with transaction.atomic():
                owner = KeyOwner.objects.create(user=user, handle=secrets.token_bytes(64))
        except IntegrityError:  # made meanwhile by a parallel request
            owner = KeyOwner.objects.get(user=user)
    return bytes(owner.handle)


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(key.credential_id),
            transports=[AuthenticatorTransport(t) for t in key.transports if t in TRANSPORTS],
        )
        for key in keys
    ]


def registration_options(user: User, challenge: bytes) -> str:
    """What ``navigator.credentials.create`` needs, as JSON: the person's keys excluded, a
    resident key preferred (so it can serve as a passkey), attestation "none"."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        user_id=handle_for(user),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        challenge=challenge,
        timeout=conf.WEBAUTHN_CHALLENGE_SECONDS * 1000,
        exclude_credentials=_descriptors(keys_of(user)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options)


def authentication_options(
    challenge: bytes, user: User | None = None, *, require_verification: bool = False
) -> str:
    """What ``navigator.credentials.get`` needs: only ``user``'s keys may answer (none
    listed for a passkey, which names its own person)."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        challenge=challenge,
        timeout=conf.WEBAUTHN_CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(keys_of(user)) if user is not None else [],
        user_verification=(
            UserVerificationRequirement.REQUIRED if require_verification
            else UserVerificationRequirement.PREFERRED
        ),
    )
    return options_to_json(options)


class KeyNameForm(forms.Form):
    name = SingleLineField(
        label="Key name",
        max_length=NAME_MAX,
        error_messages={"required": _NAME_LENGTH, "max_length": _NAME_LENGTH},
        help_text="So you can tell your keys apart, e.g. \"Blue YubiKey\" or \"Work laptop\".",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def clean_name(raw: object) -> str:
    """The key's name, as ``KeyNameForm`` reads it (the name comes as JSON, not a form)."""
    form = KeyNameForm({"name": raw if isinstance(raw, str) else ""})
    if not form.is_valid():
        raise Refused("name", form.errors["name"][0])
    return form.cleaned_data["name"]


def parse_response(raw: object) -> dict:
    """The browser's answer, as ``portal.json_requests`` decoded it: anything but an object
    is refused."""
    if not isinstance(raw, dict):
        raise Refused("malformed", "The security key's answer was not understood.")
    return raw


def add_key(
    user: User, name: str, response: dict, challenge: bytes | None,
    request: HttpRequest | None = None,
) -> SecurityKey:
    """Register the key that answered ``challenge``; audited and told by email."""
    if challenge is None:
        raise Refused("challenge", "That request expired or was used already. Try again.")
    if SecurityKey.objects.filter(user=user).count() >= conf.SECURITY_KEYS_PER_PERSON:
        raise Refused(
            "too_many", f"You have {conf.SECURITY_KEYS_PER_PERSON} keys, the most allowed. "
            "Remove one first.",
        )
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, KeyError, TypeError, ValueError):
        raise Refused("invalid", "The security key's answer could not be verified. "
                      "Try again.") from None
    try:
        with transaction.atomic():
            key = SecurityKey.objects.create(
                user=user,
                name=name,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=_transports(response),
                aaguid=str(verified.aaguid)[:36],
                backup_eligible=(
                    verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
                ),
                backed_up=verified.credential_backed_up,
            )
    except IntegrityError:
        raise Refused("duplicate", "This security key is already registered.") from None
    audit.record(KeyTag.SECURITY_KEY_ADDED, request=request, subject=user, actor=user, name=name)
    send_notice(user, "security_key_added", "a security key was added", {"key": key})
    return key


def _transports(response: dict) -> list[str]:
    """The transports the key named, only those WebAuthn defines (no other text is stored)."""
    named = response.get("response", {}).get("transports")
    if not isinstance(named, list):
        return []
    return [t for t in named if isinstance(t, str) and t in TRANSPORTS]


def find_key(response: dict) -> SecurityKey | None:
    """The registered key whose credential id the answer names (with its person)."""
    try:
        raw_id = base64url_to_bytes(str(response.get("rawId") or response.get("id") or ""))
    except (ValueError, TypeError):
        return None
    if not raw_id:
        return None
    return SecurityKey.objects.select_related("user").filter(credential_id=raw_id).first()


def check_assertion(
    key: SecurityKey, response: dict, challenge: bytes, *, require_verification: bool
) -> None:
    """Verify ``key``'s signed answer to ``challenge`` (origin, RP ID, user presence, user
    verification when asked, signature) and its sign count; record the use.

    A sign count is refused only when the stored one is above 0 and the new one is not
    higher: synced passkeys always send 0.
    """
    try:
        parsed = parse_authentication_credential_json(response)
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=0,  # checked below, to tell the person why
            require_user_verification=require_verification,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, KeyError, TypeError,
            ValueError) as error:
        if require_verification and "verification" in str(error):
            raise Refused(
                "no_user_verification",
                "A passkey must check it is you (a PIN, fingerprint or face). "
                "Try again and confirm on the key.",
            ) from None
        raise Refused("invalid", "The security key's answer could not be verified.") from None
    if key.sign_count > 0 and verified.new_sign_count <= key.sign_count:
        raise Refused(
            "sign_count",
            "This security key's use counter went backwards, a sign that the key may have "
            "been copied. It was refused. Use another way to sign in and tell your firm's "
            "administrator.",
        )
    SecurityKey.objects.filter(pk=key.pk).update(
        sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        last_used_at=timezone.now(),
    )


def remove_key(user: User, key: SecurityKey, request: HttpRequest | None = None) -> bool:
    """Remove ``user``'s ``key``: False if it was gone already (a second press); refused
    (``Refused("last_key")``) for the last key of an admin whose firm requires keys.

    The person's row is locked before counting, so two removals at once count one after
    the other: two "Remove" presses on an admin's two keys leave one, never none.
    """
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        others = SecurityKey.objects.filter(user=person).exclude(pk=key.pk)
        if policy.needs_security_key(person) and not others.exists():
            raise Refused(
                "last_key",
                "Your firm requires a security key for firm admins: add another key before "
                "removing your last one.",
            )
        removed, _ = SecurityKey.objects.filter(pk=key.pk, user=person).delete()
    if not removed:
        return False
    audit.record(
        KeyTag.SECURITY_KEY_REMOVED, request=request, subject=user, actor=user, name=key.name
    )
    send_notice(user, "security_key_removed", "a security key was removed", {"key": key})
    return True


def remove_all(user: User) -> int:
    """Every key of ``user`` (an admin's factor reset)."""
    removed, _ = SecurityKey.objects.filter(user=user).delete()
    return removed


def security_context(request: HttpRequest) -> dict:
    return {"keys": keys_of(request.user), "max_keys": conf.SECURITY_KEYS_PER_PERSON}


def bytes_to_b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64_to_bytes(text: str) -> bytes:
    return base64url_to_bytes(text)
