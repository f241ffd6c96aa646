"""Authenticator apps: set up from the Security page under the rule for adding a factor,
secrets encrypted at rest, and codes checked at sign-in through the one verification path:
one step of drift, never the same step twice, one wrong code counted once, and 20 parallel
right codes giving exactly one sign-in."""

import base64

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from accounts import reauth
from accounts.models import AuditEvent, User
from manage import demo
from portal import encryption
from tests.concurrency import needs_postgresql, race
from tests.conftest import PASSWORD
from tests.signing_in import current_attempt, enter_password, type_token
from tests.twofactor.methods.totp.helpers import SETUP, app_code, fresh, key_from_page, set_up_app
from twofactor.methods.totp import authenticator
from twofactor.methods.totp.models import AuthenticatorApp
from twofactor.models import FactorLock, SignInAttempt
from twofactor.signin import verification

TECH = "tech@acme.example"


@pytest.fixture
def tech_client(fake_provider, demo_world):
    """Acme's tech (2FA on, has a phone), signed in, password and SMS token a moment ago."""
    client = Client()
    client.force_login(demo_world[TECH])
    fresh(client)
    return client


@pytest.fixture
def tech_with_app(tech_client, time_travel):
    """Acme's tech with an app set up through the pages, three time steps later (the
    setup's own code cannot sign in, nor can any step before it), and signed out."""
    key = set_up_app(tech_client)
    time_travel(90)
    tech_client.logout()
    return key


def test_the_security_page_offers_to_set_up_an_app(tech_client):
    page = tech_client.get("/security/").content.decode()

    assert "Set up an authenticator app" in page
    assert f'href="{SETUP}"' in page


def test_the_setup_page_shows_a_qr_code_the_setup_key_and_the_code_field(tech_client):
    page = tech_client.get(SETUP).content.decode()

    assert "Setup key" in page
    assert '<label for="id_code">Code from the app</label>' in page
    assert ">Turn on</button>" in page
    assert '<img class="qr" src="/security/authenticator-app/qr.svg"' in page
    assert len(key_from_page(page)) == authenticator.SECRET_BYTES
    qr = tech_client.get("/security/authenticator-app/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content and b"xmlns" in qr.content


def test_setting_up_an_app_turns_it_on_audits_and_emails(tech_client, demo_world):
    set_up_app(tech_client)

    tech = demo_world[TECH]
    assert authenticator.has_app(tech)
    assert AuditEvent.objects.filter(subject=tech, tag="account:two_factor:authenticator_app_added")
    assert mail.outbox[-1].to == [TECH]
    assert "authenticator app was added" in mail.outbox[-1].subject
    page = tech_client.get("/security/").content.decode()
    assert ">Remove</button>" in page and "Set up an authenticator app</a>" not in page


def test_a_wrong_setup_code_is_a_clear_error_and_turns_nothing_on(tech_client, demo_world):
    key = key_from_page(tech_client.get(SETUP).content.decode())

    for code in ["000000" if app_code(key) != "000000" else "111111", "12a456", "١٢٣٤٥٦"]:
        response = tech_client.post(SETUP, {"code": code})
        assert response.status_code == 400
        assert "Code from the app" in response.content.decode()
    assert not authenticator.has_app(demo_world[TECH])
    # The same secret stays on the page until the app is turned on.
    assert key_from_page(tech_client.get(SETUP).content.decode()) == key


def test_the_secret_is_not_stored_in_plain_text(tech_client, demo_world):
    key = set_up_app(tech_client)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM twofactor_authenticatorapp")
        row = " ".join(str(value) for value in cursor.fetchone())
    for form in (key.hex(), key.hex().upper(), base64.b32encode(key).decode().rstrip("=")):
        assert form not in row
    app = AuthenticatorApp.objects.get(user=demo_world[TECH])
    assert bytes.fromhex(encryption.decrypt(app.encrypted_secret)) == key


def test_setup_is_refused_to_a_session_verified_by_a_backup_code(tech_client, demo_world):
    fresh(tech_client, "backup_code")

    page = tech_client.get(SETUP)
    turn_on = tech_client.post(SETUP, {"code": "123456"})
    qr = tech_client.get("/security/authenticator-app/qr.svg")

    assert page.status_code == 302 and page["Location"].startswith("/security/confirm/")
    assert turn_on.status_code == 302 and turn_on["Location"] == "/login/verify/"  # POST: go
    assert qr.status_code == 404
    assert not authenticator.has_app(demo_world[TECH])


def test_setup_without_a_recent_password_asks_for_it(tech_client):
    session = tech_client.session
    session[reauth.SESSION_KEY] = 0  # the password was entered long ago
    session.save()

    response = tech_client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(reauth.reauth_url(SETUP).split("?")[0])


def test_removing_the_app_follows_the_rule_is_audited_and_emailed(tech_client, demo_world):
    set_up_app(tech_client)
    fresh(tech_client, "backup_code")
    refused = tech_client.post("/security/authenticator-app/remove/")
    assert refused["Location"] == "/login/verify/" and authenticator.has_app(demo_world[TECH])

    fresh(tech_client, "totp")
    response = tech_client.post("/security/authenticator-app/remove/")

    assert response.status_code == 302 and response["Location"] == "/security/"
    assert not authenticator.has_app(demo_world[TECH])
    assert AuditEvent.objects.filter(tag="account:two_factor:authenticator_app_removed")
    assert "authenticator app was removed" in mail.outbox[-1].subject


def test_a_person_with_an_app_signs_in_with_its_code_and_no_provider_call(
    tech_with_app, fake_provider
):
    client = Client()
    enter_password(client)
    page = client.get("/login/verify/").content.decode()
    assert "authenticator app" in page.split('id="id_token_helptext"')[1].split("</div>")[0]

    response = type_token(client, app_code(tech_with_app))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=TECH).pk)
    assert fake_provider.asked_count("check_token") == 0
    assert AuditEvent.objects.filter(tag="account:login:signed_in", data__method="totp")


def test_the_same_code_twice_is_refused(tech_with_app, fake_provider):
    code = app_code(tech_with_app)
    first = Client()
    enter_password(first)
    assert type_token(first, code).status_code == 302

    second = Client()
    enter_password(second)
    response = type_token(second, code)

    assert response.status_code == 400
    assert "_auth_user_id" not in second.session


@pytest.mark.parametrize("steps", [-1, 1])
def test_one_step_of_drift_either_way_is_accepted(tech_with_app, fake_provider, steps):
    client = Client()
    enter_password(client)

    assert type_token(client, app_code(tech_with_app, steps)).status_code == 302


@pytest.mark.parametrize("steps", [-2, 2])
def test_a_code_two_steps_away_is_refused(tech_with_app, fake_provider, steps):
    client = Client()
    enter_password(client)

    response = type_token(client, app_code(tech_with_app, steps))

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_an_older_step_than_the_last_accepted_is_refused(tech_with_app, fake_provider):
    first = Client()
    enter_password(first)
    assert type_token(first, app_code(tech_with_app, 1)).status_code == 302

    second = Client()
    enter_password(second)
    assert type_token(second, app_code(tech_with_app)).status_code == 400


def test_a_wrong_code_counts_once_though_app_and_provider_are_both_asked(
    tech_with_app, fake_provider
):
    client = Client()
    enter_password(client)
    right = app_code(tech_with_app)
    wrong = "000000" if right != "000000" else "111111"

    response = type_token(client, wrong)

    assert response.status_code == 400
    assert "authenticator app" in response.content.decode()
    assert FactorLock.objects.get(user__email=TECH).failure_count == 1
    assert fake_provider.asked_count("check_token") == 1  # the app first, then the provider


def test_a_locked_person_is_refused_even_with_the_right_app_code(
    tech_with_app, fake_provider, settings
):
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    client = Client()
    enter_password(client)
    right = app_code(tech_with_app)
    for _ in range(3):
        type_token(client, "000000" if right != "000000" else "111111")

    response = type_token(client, right)

    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_a_provider_token_still_works_for_a_person_with_an_app(tech_with_app, fake_provider):
    client = Client()
    enter_password(client)
    fake_provider.token_is_right = True  # the provider's own check (e.g. the Authy app's code)

    response = type_token(client, "1234567")

    assert response.status_code == 302
    assert fake_provider.asked_count("check_token") == 1


def test_a_person_with_only_an_app_and_no_phone_signs_in_without_any_push(
    fake_provider, demo_world, time_travel
):
    nophone = demo_world["nophone@acme.example"]
    client = Client()
    client.force_login(nophone)
    fresh(client)
    key = set_up_app(client)  # no other factor: the password alone is the rule here
    time_travel(30)
    client.logout()

    response = enter_password(client, "nophone@acme.example")
    assert response["Location"] == "/login/verify/"
    assert fake_provider.asked_count("create_approval") == 0
    assert type_token(client, app_code(key)).status_code == 302
    assert client.session["_auth_user_id"] == str(nophone.pk)


def test_the_setup_code_cannot_sign_in(tech_client, fake_provider):
    key = set_up_app(tech_client)
    tech_client.logout()
    client = Client()
    enter_password(client)

    assert type_token(client, app_code(key)).status_code == 400


def test_rotating_the_encryption_key_keeps_secrets_readable(tech_client, settings, demo_world):
    from cryptography.fernet import Fernet

    key = set_up_app(tech_client)
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [new, *old]
    assert authenticator.reencrypt_all() == 1
    settings.FIELD_ENCRYPTION_KEY = [new]

    app = AuthenticatorApp.objects.get(user=demo_world[TECH])
    assert authenticator.secret_of(app) == key


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submissions_of_one_right_app_code_sign_in_exactly_once(
    fake_provider, settings
):
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 100
    settings.TWOFACTOR_RATE_LIMITS = {name: (10**6, 60) for name in settings.RATE_LIMITS}
    demo.seed(PASSWORD)
    tech = User.objects.get(email=TECH)
    secret = bytes(range(20))
    AuthenticatorApp.objects.create(
        user=tech, name="app", confirmed=True,
        encrypted_secret=encryption.encrypt(secret.hex()),
    )
    attempt_ids = []
    for _ in range(20):  # twenty sign-ins in flight (a stolen code replayed), one right code
        client = Client()
        enter_password(client)
        attempt_ids.append((current_attempt(client).pk,))
    code = app_code(secret)

    def submit(attempt_id):
        return verification.verify_token(SignInAttempt.objects.get(pk=attempt_id), code).outcome

    outcomes = race(submit, attempt_ids)

    assert outcomes.count(verification.Outcome.ACCEPTED) == 1, outcomes
    assert SignInAttempt.objects.filter(completed_at__isnull=False).count() == 1
    assert AuthenticatorApp.objects.get(user=tech).last_step is not None


def test_an_admins_factor_reset_removes_the_app_and_says_so(tech_with_app, demo_world):
    from twofactor.recovery import phone_changes

    tech, admin = demo_world[TECH], demo_world["admin@acme.example"]
    assert authenticator.has_app(tech)

    phone_changes.reset_second_factor(tech, admin)

    assert not AuthenticatorApp.objects.filter(user=tech).exists()
    assert "authenticator app were removed" in mail.outbox[-1].body
    event = AuditEvent.objects.filter(subject=tech).latest("created_at")
    assert event.data["authenticator_app_removed"] is True
