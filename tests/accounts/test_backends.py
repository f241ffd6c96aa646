"""The signed-in person, loaded on every request by a query the ORM builds once: the same
person, firm and client as the ORM loads, in one query, and nobody for an unknown or
inactive id."""

import pytest
from django.utils import timezone

from accounts.backends import EmailBackend, load_person
from accounts.models import Firm, User


def field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_every_person_is_loaded_as_the_orm_loads_them_with_their_firm(demo_world):
    firm = Firm.objects.get(name="Acme IT")
    firm.allowed_methods = ["push", "sms"]  # a JSON value, through its converter
    firm.save()
    User.objects.filter(email="tech@acme.example").update(
        last_second_factor_at=timezone.now(), must_change_password=True
    )

    for expected in User.objects.select_related("firm", "client"):
        person = load_person(expected.pk)
        assert field_values(person) == field_values(expected), expected.email
        assert field_values(person.firm) == field_values(expected.firm), expected.email
        if expected.client_id is None:
            assert person.client is None
        else:
            assert field_values(person.client) == field_values(expected.client)
        assert person.firm.allowed_methods == expected.firm.allowed_methods
        assert isinstance(person.is_active, bool) and person.date_joined.tzinfo is not None


@pytest.mark.parametrize("email", ["user@contoso.example", "tech@acme.example"])
def test_firm_and_client_come_with_the_person_in_one_query(
    demo_world, django_assert_num_queries, email
):
    pk = User.objects.get(email=email).pk

    with django_assert_num_queries(1):
        person = load_person(pk)
        assert person.firm.name == "Acme IT"
        assert (person.client.name if person.client else None) == (
            "Contoso Dental" if person.is_end_user else None
        )


def test_nobody_is_loaded_for_an_unknown_id(db):
    assert load_person(10**9) is None
    assert EmailBackend().get_user(10**9) is None


def test_an_inactive_person_is_not_signed_in(demo_world):
    tech = User.objects.get(email="tech@acme.example")
    User.objects.filter(pk=tech.pk).update(is_active=False)

    assert EmailBackend().get_user(tech.pk) is None
