"""The signed-in person, loaded on every request by a query the ORM builds once: the same
person, with the same firm, as the ORM loads them, and nobody for an unknown or inactive id."""

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

    for expected in User.objects.select_related("firm"):
        person = load_person(expected.pk)
        assert field_values(person) == field_values(expected), expected.email
        assert field_values(person.firm) == field_values(expected.firm), expected.email
        assert person.firm.allowed_methods == expected.firm.allowed_methods
        assert isinstance(person.is_active, bool) and person.date_joined.tzinfo is not None


def test_the_firm_comes_with_the_person_and_an_end_users_client_when_read(
    demo_world, django_assert_num_queries
):
    end_user = User.objects.get(email="user@contoso.example")

    with django_assert_num_queries(1):
        person = load_person(end_user.pk)
        assert person.firm.name == "Acme IT"
    with django_assert_num_queries(1):
        assert person.client.name == "Contoso Dental"


def test_nobody_is_loaded_for_an_unknown_id(db):
    assert load_person(10**9) is None
    assert EmailBackend().get_user(10**9) is None


def test_an_inactive_person_is_not_signed_in(demo_world):
    tech = User.objects.get(email="tech@acme.example")
    User.objects.filter(pk=tech.pk).update(is_active=False)

    assert EmailBackend().get_user(tech.pk) is None
