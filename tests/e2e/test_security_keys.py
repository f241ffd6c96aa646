"""Security keys and passkeys in a real Chromium with Chrome's virtual authenticator (over
the DevTools protocol): add a key, sign in with it, sign in with a passkey, remove it. The
portal is reached as http://localhost:PORT, which is also PUBLIC_BASE_URL (the RP ID)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Firm, User
from tests.e2e.conftest import ARTIFACTS, log_in
from twofactor.methods.security_key.models import SecurityKey

pytestmark = pytest.mark.browser

EMAIL = "keyholder@globex.example"


def virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }})


def test_a_person_adds_a_key_signs_in_with_it_and_with_a_passkey_then_removes_it(
    page, live_server, seeded, settings
):
    assert live_server.url.startswith("http://localhost:")
    settings.PUBLIC_BASE_URL = live_server.url
    globex = Firm.objects.get(name="Globex MSP")
    User.objects.create_user(EMAIL, seeded, full_name="Kim Keyholder", firm=globex)
    virtual_authenticator(page)

    # Add a key (2FA is off at Globex and Kim has no phone: the password is enough).
    log_in(page, EMAIL, seeded)
    page.get_by_role("link", name="Security", exact=True).click()
    page.get_by_role("link", name="Add a security key").click()
    page.get_by_label("Key name").fill("Laptop passkey")
    page.get_by_role("button", name="Add a security key").click()
    expect(page.get_by_role("heading", name="Security", level=1)).to_be_visible()
    expect(page.get_by_text("Laptop passkey").first).to_be_visible()
    assert SecurityKey.objects.filter(user__email=EMAIL).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webauthn-security.png"), full_page=True)
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Sign in with it as the second factor.
    Firm.objects.filter(pk=globex.pk).update(two_factor_required=True)
    log_in(page, EMAIL, seeded)
    expect(page.get_by_role("button", name="Use a security key")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "webauthn-challenge.png"), full_page=True)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert SecurityKey.objects.get(user__email=EMAIL).last_used_at is not None
    page.get_by_role("button", name="Sign out", exact=True).click()

    # A passkey, where the firm does not allow it: refused, clearly.
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("does not allow passkey sign-in")

    # Where it does: both factors at once.
    Firm.objects.filter(pk=globex.pk).update(passkey_sign_in_allowed=True)
    page.goto("/login/")
    page.screenshot(path=str(ARTIFACTS / "webauthn-login.png"), full_page=True)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    # Remove it: the password first (a passkey sign-in had no password step).
    page.goto("/security/")
    page.get_by_role("button", name="Remove").click()
    page.get_by_label("Your password").fill(seeded)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("was removed")
    assert not SecurityKey.objects.filter(user__email=EMAIL).exists()
