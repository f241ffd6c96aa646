"""An authenticator app in tests: read the setup key off the page, make its codes with
django-otp's own TOTP at the portal's (possibly time-travelled) clock."""

import base64
import re
import time

from django.utils import timezone
from django_otp.oath import TOTP

from accounts import reauth
from tests.signing_in import verified_by

SETUP = "/security/authenticator-app/"


def key_from_page(html: str) -> bytes:
    setup_key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return base64.b32decode(setup_key + "=" * (-len(setup_key) % 8))


def app_code(key: bytes, steps: int = 0) -> str:
    """What the app shows now (``steps`` time steps later or earlier)."""
    totp = TOTP(key, drift=steps)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():06d}"


def fresh(client, method: str = "sms") -> None:
    """The session proved ``method`` and the password a moment ago, as a sign-in leaves it."""
    now = int(time.time())
    session = client.session
    verified_by(session, method)
    session[reauth.SESSION_KEY] = now
    session.save()


def set_up_app(client) -> bytes:
    """Through the pages: open the setup page, read the key, turn the app on."""
    page = client.get(SETUP)
    assert page.status_code == 200, page
    key = key_from_page(page.content.decode())
    response = client.post(SETUP, {"code": app_code(key)})
    assert response.status_code == 302 and response["Location"] == "/security/", response
    return key
