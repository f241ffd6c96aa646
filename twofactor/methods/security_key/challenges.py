"""WebAuthn challenges in the session: one per ceremony, single use, short-lived.

Each is kept under its purpose ("register", "sign_in", "passkey") with when it was made and,
for a sign-in, the attempt it belongs to: taking it removes it, so a replayed answer finds
nothing, and a challenge made for one attempt never answers another.
"""

import base64
import secrets

from django.http import HttpRequest
from django.utils import timezone

from twofactor.conf import conf

SESSION_KEY = "webauthn_challenges"


def make(request: HttpRequest, purpose: str, *, attempt_id: str = "") -> bytes:
    challenge = secrets.token_bytes(32)
    store = dict(request.session.get(SESSION_KEY) or {})
    store[purpose] = {
        "challenge": base64.urlsafe_b64encode(challenge).decode(),
        "at": timezone.now().timestamp(),
        "attempt": attempt_id,
    }
    request.session[SESSION_KEY] = store
    return challenge


def take(request: HttpRequest, purpose: str, *, attempt_id: str = "") -> bytes | None:
    """The live challenge made for ``purpose`` (and this attempt), removed as it is read."""
    store = dict(request.session.get(SESSION_KEY) or {})
    entry = store.pop(purpose, None)
    request.session[SESSION_KEY] = store
    if not isinstance(entry, dict) or entry.get("attempt") != attempt_id:
        return None
    age = timezone.now().timestamp() - float(entry.get("at", 0))
    if not 0 <= age <= conf.WEBAUTHN_CHALLENGE_SECONDS:
        return None
    return base64.urlsafe_b64decode(entry["challenge"])
