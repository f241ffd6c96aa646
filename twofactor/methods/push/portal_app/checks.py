"""Start-up checks for the phone app's pushes: production without a usable VAPID key or
contact would fail every push, or sign with a key nobody can keep (twofactor.E040, E041).

Registered when the push app is ready (``twofactor/methods/push/apps.py``), so they run
wherever the push method is installed.
"""

from typing import Any
from urllib.parse import urlsplit

from django.core.checks import Error, Tags, register

from twofactor.methods.push.portal_app import vapid

KEY_HINT = (
    "Make one with: python -c \"from cryptography.hazmat.primitives.asymmetric import ec; "
    "import base64; k = ec.generate_private_key(ec.SECP256R1()); "
    "print(base64.urlsafe_b64encode(k.private_numbers().private_value.to_bytes(32, 'big'))"
    ".rstrip(b'=').decode())\" and keep it: a new key orphans every phone's subscription."
)


@register(Tags.security)
def web_push_is_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problems = []
    if vapid.conf.VAPID_PRIVATE_KEY or not vapid.conf.DEBUG:
        try:
            vapid.private_key()
        except vapid.KeyProblem as problem:
            problems.append(Error(str(problem), hint=KEY_HINT, id="twofactor.E040"))
    subject = vapid.subject()
    url = urlsplit(subject)
    if not subject.startswith(("mailto:", "https://")) or not (url.path or url.hostname):
        problems.append(Error(
            f"VAPID_SUBJECT is {subject!r}: push services need a mailto: or https: contact.",
            hint="Set VAPID_SUBJECT=mailto:security@your-domain (or https://your-domain).",
            id="twofactor.E041",
        ))
    elif not vapid.conf.DEBUG and _unreachable(url.hostname or url.path.rpartition("@")[2]):
        problems.append(Error(
            f"VAPID_SUBJECT is {subject!r}: Apple's push service refuses a contact that is "
            "not a real domain (403 BadJwtToken), so no iPhone would get a push.",
            hint="Set VAPID_SUBJECT=mailto:security@your-domain (or https://your-domain).",
            id="twofactor.E041",
        ))
    return problems


def _unreachable(domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    return "." not in domain or domain.endswith((".localhost", ".invalid"))
