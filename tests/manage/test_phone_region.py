"""'Country for phone numbers': a firm's setting (a client may override it) for where a
number typed without a country code is read; the phone field's help names it."""

import pytest

from accounts.audit import Tag
from accounts.models import AuditEvent, Client, Firm, User
from tests.manage.policy_form import post_policy
from tests.manage.test_employees import edit_url, profile


def test_a_firm_sets_its_country_and_numbers_are_read_there(acme, demo_world):
    tech = demo_world["tech@acme.example"]
    assert "Country for phone numbers" in acme.get("/manage/employees/").content.decode()

    post_policy(acme, Firm.objects.get(name="Acme IT"), phone_region="GB")

    assert Firm.objects.get(name="Acme IT").phone_region == "GB"
    assert AuditEvent.objects.filter(tag=str(Tag.PHONE_REGION_CHANGED)).exists()
    page = acme.get(edit_url(tech)).content.decode()
    assert "GB" in page  # the phone field's help names the country
    acme.post(edit_url(tech), profile(tech, phone="07400 123456"))
    assert User.objects.get(pk=tech.pk).phone == "+447400123456"


def test_a_client_overrides_its_firms_country(acme, demo_world):
    casey = demo_world["user@contoso.example"]
    client = casey.client
    post_policy(acme, client, phone_region="DE")

    assert Client.objects.get(pk=client.pk).region == "DE"
    assert Firm.objects.get(name="Acme IT").region == "US"


@pytest.mark.parametrize("value", ["XX", "gb", "../", "\x00", "US" * 40])
def test_an_unknown_country_is_refused_and_changes_nothing(acme, demo_world, value):
    response = post_policy(acme, Firm.objects.get(name="Acme IT"), phone_region=value)

    assert response.status_code == 400 and "Choose a country from the list." in (
        response.content.decode()
    )
    assert Firm.objects.get(name="Acme IT").phone_region == ""


def test_techs_cannot_set_it(client, demo_world):
    from tests.signing_in import sign_in

    sign_in(client, "tech@acme.example")
    acme = Firm.objects.get(name="Acme IT")
    assert post_policy(client, acme, phone_region="GB").status_code == 403
    assert Firm.objects.get(name="Acme IT").phone_region == ""
