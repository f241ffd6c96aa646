"""One policy holder: a firm sets the rules for its employees and firm admins, a client for
its end users, and the person loaded on each request answers whose rules they follow without
another query."""

import pytest

from accounts import policy
from accounts.backends import load_person
from accounts.models import Client, Firm, User


@pytest.mark.parametrize(
    ("email", "holder_name"),
    [
        ("tech@acme.example", "Acme IT"),
        ("admin@acme.example", "Acme IT"),
        ("user@contoso.example", "Contoso Dental"),
    ],
)
def test_the_holder_of_an_employee_an_admin_and_an_end_user_costs_no_query(
    demo_world, django_assert_num_queries, email, holder_name
):
    person = load_person(User.objects.get(email=email).pk)

    with django_assert_num_queries(0):
        holder = policy.holder_of(person)
        assert holder.name == holder_name
        assert isinstance(holder, Client) == person.is_end_user
        policy.needs_second_factor(person)
        policy.needs_security_key(person)
        policy.method_allowed(holder, "push")
        policy.may_remember_browser(holder)
        policy.passkey_sign_in_allowed(holder)


@pytest.fixture
def firm_strict_client_lax(demo_world):
    """Acme requires a second factor and allows the rest; its client Contoso requires and
    allows nothing but SMS."""
    Firm.objects.filter(name="Acme IT").update(
        two_factor_required=True, allow_remembered_browsers=True,
        passkey_sign_in_allowed=True, allowed_methods=["push"],
    )
    Client.objects.filter(name="Contoso Dental").update(
        two_factor_required=False, allow_remembered_browsers=False,
        passkey_sign_in_allowed=False, allowed_methods=["sms"],
    )
    return {
        email: load_person(User.objects.get(email=email).pk)
        for email in ("tech@acme.example", "user@contoso.example")
    }


def test_an_employee_follows_the_firm(firm_strict_client_lax):
    tech = firm_strict_client_lax["tech@acme.example"]
    holder = policy.holder_of(tech)

    assert policy.needs_second_factor(tech)
    assert policy.may_remember_browser(holder)
    assert policy.passkey_sign_in_allowed(holder)
    assert policy.allowed_methods(holder) == ["push"]
    assert policy.method_allowed(holder, "push") and not policy.method_allowed(holder, "sms")


def test_an_end_user_follows_their_client_not_the_firm(firm_strict_client_lax):
    end_user = firm_strict_client_lax["user@contoso.example"]
    holder = policy.holder_of(end_user)

    assert not policy.needs_second_factor(end_user)
    assert not policy.may_remember_browser(holder)
    assert not policy.passkey_sign_in_allowed(holder)
    assert policy.method_allowed(holder, "sms") and not policy.method_allowed(holder, "push")


def test_a_holder_that_never_chose_allows_every_way(demo_world):
    firm = Firm.objects.get(name="Globex MSP")

    assert policy.allowed_methods(firm) is None
    assert policy.method_allowed(firm, "totp") and policy.method_allowed(firm, "push")


def test_only_a_firm_admin_whose_firm_requires_keys_needs_one(demo_world):
    Firm.objects.filter(name="Acme IT").update(security_key_required_for_admins=True)
    people = {
        email: load_person(User.objects.get(email=email).pk)
        for email in ("admin@acme.example", "tech@acme.example", "user@contoso.example",
                      "admin@globex.example")
    }

    assert [email for email, person in people.items() if policy.needs_security_key(person)] == [
        "admin@acme.example"
    ]


def test_an_inactive_person_needs_nothing(demo_world):
    Firm.objects.filter(name="Acme IT").update(two_factor_required=True)
    tech = load_person(User.objects.get(email="tech@acme.example").pk)
    tech.is_active = False

    assert not policy.needs_second_factor(tech)
