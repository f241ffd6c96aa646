"""A sign-in left half-way (the password done, the second factor not) ends with everything
that ends signed-in sessions: a new password, "Sign out everywhere else", deactivation, and a
change of the firm's or client's two-factor policy. The attacker who typed the old password
can then neither send a token nor finish with one."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tokens import encode_uid, reset_tokens
from manage import people
from tests.conftest import PASSWORD
from tests.signing_in import (
    ACME_TECH,
    enter_password,
    send_sms,
    sign_in,
    texted_token,
    type_token,
)

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def attacker(demo_world, sms_outbox):
    """A browser past the password step for Acme's tech, holding a texted token."""
    browser = Client()
    assert enter_password(browser)["Location"] == "/login/verify/"
    assert send_sms(browser).status_code == 302
    browser.token = texted_token(sms_outbox)
    return browser


def assert_sign_in_is_over(browser, sms_outbox):
    texts = len(sms_outbox)
    assert send_sms(browser)["Location"] == "/login/"
    assert len(sms_outbox) == texts, "no text goes out for an ended sign-in"
    assert type_token(browser, browser.token)["Location"] == "/login/"
    assert browser.get("/dashboard/")["Location"].startswith("/login/")


def test_a_password_reset_ends_it(attacker, sms_outbox):
    tech = User.objects.get(email=ACME_TECH)
    path = reverse("password_reset",
                   kwargs={"uidb64": encode_uid(tech), "token": reset_tokens.make_token(tech)})
    victim = Client()
    landing = victim.get(path)
    victim.post(landing["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert_sign_in_is_over(attacker, sms_outbox)


def test_sign_out_everywhere_else_ends_it(attacker, sms_outbox):
    victim = sign_in(Client(), ACME_TECH)
    assert victim.post("/security/sign-out-others/")["Location"] == "/security/"

    assert_sign_in_is_over(attacker, sms_outbox)


def test_deactivation_ends_it(attacker, sms_outbox, demo_world):
    people.set_active(demo_world[ACME_TECH].pk, False, actor=demo_world["admin@acme.example"])

    assert_sign_in_is_over(attacker, sms_outbox)


@pytest.mark.parametrize("on", [False, True])
def test_a_change_of_the_firms_policy_ends_it(attacker, sms_outbox, demo_world, on):
    admin = demo_world["admin@acme.example"]
    if on:  # off, and on again: a sign-in started under either old policy ends
        admin.firm.two_factor_required = False
        admin.firm.save()
    people.set_firm_two_factor(admin.firm, on, actor=admin)

    assert_sign_in_is_over(attacker, sms_outbox)


def test_a_change_of_a_clients_policy_ends_its_end_users_sign_ins(demo_world, sms_outbox):
    casey = Client()
    assert enter_password(casey, "user@contoso.example")["Location"] == "/login/verify/"
    tech = Client()
    enter_password(tech)
    admin = demo_world["admin@acme.example"]

    people.set_client_two_factor(demo_world["user@contoso.example"].client, False, actor=admin)

    assert send_sms(casey)["Location"] == "/login/"
    assert send_sms(tech)["Location"] == "/login/verify/?way=sms"  # Acme employees: still on


def test_a_password_change_while_signed_in_ends_it(attacker, sms_outbox):
    victim = sign_in(Client(), ACME_TECH)
    response = victim.post("/password/change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response["Location"] == "/security/"

    assert_sign_in_is_over(attacker, sms_outbox)
