"""The people tables' readiness column (manage.directory): what a firm admin can act on,
each state filterable by "Show", each person's methods, and a date a reset does not erase."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from manage import directory
from twofactor import methods, registration
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.models import FactorLock, PhoneDevice
from twofactor.recovery import phone_changes

URL = "/manage/employees/"


def row_of(client, email: str, **params) -> directory.Row:
    page = client.get(URL, params).context["page"]
    return next(row for row in page.items if row.person.email == email)


def badges(row: directory.Row) -> list[tuple[str, str]]:
    return [(state.label, state.tone) for state in row.states]


def registered(person: User) -> None:
    PhoneDevice.objects.update_or_create(
        user=person,
        defaults={"name": "Mobile phone", "number": person.phone, "provider": "local",
                  "registered_at": timezone.now()},
    )


@pytest.fixture
def world(demo_world):
    """Acme's people in every state: Avery (admin) registered and used, Terry registered and
    never used, Noel without a phone, Ivy invited, Una not registered, Lou locked, Dee
    deactivated (used once)."""
    firm = demo_world["admin@acme.example"].firm
    PhoneDevice.objects.all().delete()
    avery = demo_world["admin@acme.example"]
    registered(avery)
    User.objects.filter(pk=avery.pk).update(last_second_factor_at=timezone.now())
    registered(demo_world["tech@acme.example"])
    made = {}
    for email, name, phone in [
        ("ivy@acme.example", "Ivy Invited", "+12015550111"),
        ("una@acme.example", "Una Unregistered", "+12015550112"),
        ("lou@acme.example", "Lou Locked", "+12015550113"),
        ("dee@acme.example", "Dee Deactivated", "+12015550114"),
    ]:
        made[email] = User.objects.create_user(
            email, None if email.startswith("ivy") else "a-long-password-1", full_name=name,
            firm=firm, phone=phone,
        )
    registered(made["ivy@acme.example"])
    registered(made["lou@acme.example"])
    FactorLock.objects.create(user=made["lou@acme.example"], failure_count=10,
                              locked_until=timezone.now() + timedelta(hours=1))
    dee = made["dee@acme.example"]
    registered(dee)
    User.objects.filter(pk=dee.pk).update(
        is_active=False, last_second_factor_at=timezone.now() - timedelta(days=3)
    )
    return demo_world


def test_each_person_shows_the_state_an_admin_can_act_on_in_a_colour_that_means_it(acme, world):
    assert badges(row_of(acme, "admin@acme.example")) == [("Last verified", "ok")]
    assert badges(row_of(acme, "tech@acme.example")) == [("Ready, never used", "ok")]
    assert badges(row_of(acme, "nophone@acme.example")) == [("No phone", "warn")]
    assert badges(row_of(acme, "ivy@acme.example")) == [("Invited", "info")]
    assert badges(row_of(acme, "una@acme.example")) == [("Not registered", "warn")]
    assert badges(row_of(acme, "lou@acme.example")) == [("Locked", "bad")]
    dee = row_of(acme, "dee@acme.example")
    assert badges(dee) == [("Deactivated", "")]
    assert dee.shows_last_verified  # the date stays beside "Deactivated"


def test_never_verified_and_deactivated_people_are_never_shown_green(acme, world):
    body = acme.get(URL).content.decode()
    for email in ["dee@acme.example", "una@acme.example", "ivy@acme.example",
                  "nophone@acme.example", "lou@acme.example"]:
        row = body.split(email)[1].split("</tr>")[0]
        assert "badge ok" not in row, email
    assert "Registered" not in body


@pytest.mark.parametrize(
    ("show", "who"),
    [
        ("invited", {"Ivy Invited"}),
        ("no_phone", {"Noel Acme"}),
        ("not_registered", {"Una Unregistered"}),
        ("locked", {"Lou Locked"}),
        ("deactivated", {"Dee Deactivated"}),
    ],
)
def test_each_show_filter_lists_exactly_the_people_with_that_badge(acme, world, show, who):
    label = directory.READINESS_FILTERS[show]
    rows = acme.get(URL, {"show": show}).context["page"].items
    every = acme.get(URL).context["page"].items

    assert {row.person.full_name for row in rows} == who
    assert {row.person.full_name for row in every if label in [s.label for s in row.states]} == who


def test_each_person_shows_the_methods_they_have_set_up(acme, world):
    backup_codes.generate(world["tech@acme.example"])

    assert row_of(acme, "tech@acme.example").methods == ["Push", "SMS", "Backup code"]
    assert row_of(acme, "una@acme.example").methods == ["SMS"]  # not registered: no push
    assert row_of(acme, "nophone@acme.example").methods == []
    body = acme.get(URL).content.decode()
    assert '<span class="chip">Backup code</span>' in body


def test_the_registry_says_who_of_a_page_has_each_method_in_one_query_per_method(
    world, django_assert_num_queries
):
    people = list(User.objects.filter(firm__name="Acme IT").values_list("pk", flat=True))
    tech = world["tech@acme.example"]
    backup_codes.generate(tech)

    with django_assert_num_queries(len([m for m in methods.registry() if m.set_up_among])):
        found = methods.registered_among(people)

    assert [m.name for m in found[tech.pk]] == ["push", "sms", "backup_code"]
    assert found[world["nophone@acme.example"].pk] == []
    assert methods.get("push").set_up_among([]) == set()


def test_a_factor_reset_keeps_last_verified(fake_provider, acme, world):
    tech = world["tech@acme.example"]
    when = timezone.now() - timedelta(days=2)
    User.objects.filter(pk=tech.pk).update(last_second_factor_at=when)
    registration.register_phone(tech)

    phone_changes.reset_second_factor(tech, world["admin@acme.example"])

    tech.refresh_from_db()
    assert tech.last_second_factor_at == when
    assert row_of(acme, "tech@acme.example").last_verified_at == when


def test_signing_in_with_a_second_factor_records_the_date_on_the_person(
    client, demo_world, sms_outbox
):
    from tests.signing_in import enter_password, request_token, type_token

    tech = demo_world["tech@acme.example"]
    assert tech.last_second_factor_at is None

    enter_password(client, "tech@acme.example")
    type_token(client, request_token(client, sms_outbox))

    tech.refresh_from_db()
    assert tech.last_second_factor_at is not None
