"""The rule for adding a factor: the password and a factor other than a backup code, both in
the last 10 minutes; what is missing is asked for ("Confirm your password", "Confirm it's
you"), and the person comes back to the page."""

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from accounts import reauth
from accounts.models import User
from tests.conftest import PASSWORD
from tests.signing_in import enter_password, request_token, type_token
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.models import SignInAttempt
from twofactor.signin import freshness
from twofactor.signin.step_up import require_fresh_factor


@login_required
@require_fresh_factor
def add_a_factor(request):
    return HttpResponse("the page that adds a factor")


pytestmark = pytest.mark.urls(__name__)
urlpatterns = [path("add-a-factor/", add_a_factor), path("", include("portal.urls"))]


def signed_in_with(client, outbox, *, backup_code: str | None = None):
    """Acme's tech signed in through the real challenge: an SMS token, or a backup code."""
    enter_password(client)
    if backup_code:
        assert type_token(client, backup_code)["Location"] == "/"
    else:
        assert type_token(client, request_token(client, outbox))["Location"] == "/"
    return client


def age_session(client, *, factor: int = 0, password: int = 0) -> None:
    session = client.session
    session[freshness.VERIFIED_AT] -= factor
    session[reauth.SESSION_KEY] -= password
    session.save()


def test_a_sign_in_by_sms_a_moment_ago_may_add_a_factor(client, demo_world, sms_outbox):
    signed_in_with(client, sms_outbox)

    response = client.get("/add-a-factor/")

    assert response.status_code == 200 and b"adds a factor" in response.content


def test_a_stale_password_is_asked_for_again(client, demo_world, sms_outbox):
    signed_in_with(client, sms_outbox)
    age_session(client, password=11 * 60)

    response = client.get("/add-a-factor/")

    assert response.status_code == 302
    assert response["Location"] == "/reauthenticate/?next=%2Fadd-a-factor%2F"


def test_a_session_signed_in_by_a_backup_code_must_confirm_with_a_real_factor(
    client, demo_world, sms_outbox
):
    tech = demo_world["tech@acme.example"]
    code = backup_codes.generate(tech)[0]
    signed_in_with(client, sms_outbox, backup_code=code)

    response = client.get("/add-a-factor/")
    assert response["Location"] == "/security/confirm/?next=%2Fadd-a-factor%2F"
    assert not SignInAttempt.objects.filter(purpose=SignInAttempt.Purpose.CONFIRM).exists()
    assert "Confirm it's you" in client.get(response["Location"]).content.decode()
    assert client.post(response["Location"], {"next": "/add-a-factor/"})["Location"] == (
        "/login/verify/"
    )
    page = client.get("/login/verify/").content.decode()
    assert "Confirm it's you" in page
    assert "have access to my phone" not in page

    # Another backup code does not confirm; a texted token does, and comes back.
    refused = type_token(client, backup_codes.generate(tech)[0])
    assert refused.status_code == 400 and "cannot confirm" in refused.content.decode()
    confirmed = type_token(client, request_token(client, sms_outbox))
    assert confirmed["Location"] == "/add-a-factor/"
    assert client.get("/add-a-factor/").status_code == 200
    assert client.get("/dashboard/").status_code == 200  # still signed in throughout


def test_a_factor_older_than_ten_minutes_must_be_confirmed(client, demo_world, sms_outbox):
    signed_in_with(client, sms_outbox)
    age_session(client, factor=11 * 60)

    assert client.post("/add-a-factor/")["Location"] == "/login/verify/"  # a POST starts it
    attempt = SignInAttempt.objects.filter(purpose=SignInAttempt.Purpose.CONFIRM).get()
    assert attempt.user.email == "tech@acme.example"


def test_a_confirmation_is_not_a_pending_sign_in_for_anyone_else(client, demo_world, sms_outbox):
    """The confirm attempt rides beside a signed-in session: another browser holding its id
    gets nothing, and signing out ends it."""
    signed_in_with(client, sms_outbox)
    age_session(client, factor=11 * 60)
    client.post("/add-a-factor/")
    attempt_id = client.session["twofactor_confirm"]

    from django.test import Client

    stranger = Client()
    session = stranger.session
    session["twofactor_confirm"] = attempt_id
    session.save()
    assert stranger.get("/login/verify/")["Location"] == "/login/"

    client.post("/logout/")
    assert client.get("/login/verify/")["Location"] == "/login/"


def test_someone_with_no_factor_yet_needs_only_the_password(client, demo_world):
    """A first factor: nothing to confirm with, so the fresh password is the proof."""
    globex = demo_world["admin@globex.example"].firm  # 2FA off: signs in with a password
    User.objects.create_user(
        "new@globex.example", PASSWORD, full_name="New Person", role=User.Role.TECH, firm=globex
    )
    client.post("/login/", {"email": "new@globex.example", "password": PASSWORD})

    assert client.get("/add-a-factor/").status_code == 200
    session = client.session
    session[reauth.SESSION_KEY] -= 11 * 60
    session.save()
    assert client.get("/add-a-factor/")["Location"].startswith("/reauthenticate/")
