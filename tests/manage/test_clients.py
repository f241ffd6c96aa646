"""Admin > Manage Clients: the firm's client sites, end-user 2FA per client, and the end
users of each client, each reachable only by their own firm's admins."""

import pytest
from django.core import mail

from accounts.audit import Tag
from accounts.models import AuditEvent, Client, User
from portal.text import CONTROL_MESSAGE
from tests.conftest import PASSWORD
from tests.manage.test_employees import profile, refreshed
from tests.signing_in import another_admin, sign_in
from twofactor.models import PhoneDevice

URL = "/manage/clients/"


@pytest.fixture
def contoso(demo_world) -> Client:
    return Client.objects.get(name="Contoso Dental")


@pytest.fixture
def fabrikam(demo_world) -> Client:
    return Client.objects.get(name="Fabrikam Law")


def page(client: Client) -> str:
    return f"{URL}{client.pk}/"


def user_url(person: User) -> str:
    return f"{URL}{person.client_id}/users/{person.pk}/"


def test_the_list_links_to_each_of_the_firms_clients(acme, contoso, fabrikam):
    body = acme.get(URL).content.decode()

    assert f'href="{page(contoso)}"' in body and f'href="{page(fabrikam)}"' in body


def test_another_firms_admin_sees_none_of_them(globex, contoso):
    body = globex.get(URL).content.decode()

    assert "Contoso" not in body and "No clients yet" in body


def test_adding_a_client_opens_its_page(acme, acme_admin):
    response = acme.post(URL, {"name": "  Northwind   Traders "})

    new = Client.objects.get(name="Northwind Traders")
    assert new.firm_id == acme_admin.firm_id and not new.two_factor_required
    assert response["Location"] == page(new)
    assert AuditEvent.objects.filter(tag=str(Tag.CLIENT_ADDED)).count() == 1


def test_a_client_name_with_a_control_character_is_refused(acme, fabrikam):
    from manage.people import version_of

    added = acme.post(URL, {"name": "North\x00wind"})
    renamed = acme.post(page(fabrikam), {"action": "rename", "name": "Fabrikam\x1b",
                                         "version": version_of(fabrikam)})

    assert CONTROL_MESSAGE in added.content.decode()
    assert CONTROL_MESSAGE in renamed.content.decode()
    assert not Client.objects.filter(name__startswith="North").exists()
    assert Client.objects.get(pk=fabrikam.pk).name == fabrikam.name


def test_a_clients_name_is_unique_in_the_firm_whatever_the_case(acme):
    response = acme.post(URL, {"name": "contoso dental"})

    assert "already has a client with this name" in response.content.decode()
    assert Client.objects.filter(name__iexact="contoso dental").count() == 1


def test_another_firm_may_use_the_same_client_name(globex):
    globex.post(URL, {"name": "Contoso Dental"})

    assert Client.objects.filter(name="Contoso Dental").count() == 2


def test_renaming_a_client(acme, fabrikam):
    from manage.people import version_of

    acme.post(
        page(fabrikam),
        {"action": "rename", "name": "Fabrikam Legal", "version": version_of(fabrikam)},
    )

    assert Client.objects.get(pk=fabrikam.pk).name == "Fabrikam Legal"


def test_a_stale_rename_says_so_and_saves_nothing(acme, fabrikam):
    from manage.people import version_of

    version = version_of(fabrikam)
    Client.objects.filter(pk=fabrikam.pk).update(name="Fabrikam Partners")

    response = acme.post(
        page(fabrikam), {"action": "rename", "name": "Fabrikam Legal", "version": version}
    )

    assert "Someone else changed this" in response.content.decode()
    assert Client.objects.get(pk=fabrikam.pk).name == "Fabrikam Partners"


def test_the_client_page_has_the_checkbox_and_its_end_users_with_edit_links(
    acme, contoso, demo_world
):
    body = acme.get(page(contoso)).content.decode()

    assert "Require two-factor authentication for end users" in body
    assert 'type="checkbox" name="two_factor_required"' in body and "checked" in body
    assert (
        "Casey Contoso" in body and f'href="{user_url(demo_world["user@contoso.example"])}"' in body
    )
    assert "Frankie" not in body


def test_turning_end_user_2fa_on_lists_end_users_without_a_phone_first(acme, fabrikam):
    body = acme.post(page(fabrikam), {"two_factor_required": "on"}).content.decode()

    assert "Frankie Fabrikam" in body and "Turn on anyway" in body
    assert not Client.objects.get(pk=fabrikam.pk).two_factor_required

    acme.post(page(fabrikam), {"two_factor_required": "on", "confirm_missing_phones": "True"})
    assert Client.objects.get(pk=fabrikam.pk).two_factor_required
    assert AuditEvent.objects.filter(tag=str(Tag.CLIENT_TWO_FACTOR_ON)).count() == 1


def test_turning_end_user_2fa_off_needs_the_password_and_tells_the_other_admins(
    client, contoso, acme_admin
):
    other = another_admin(acme_admin.firm, "other-admin@acme.example")
    sign_in(client, "admin@acme.example", fresh_password=False)

    assert 'name="reauth-password"' in client.get(page(contoso)).content.decode()
    response = client.post(page(contoso), {})  # an unticked checkbox posts nothing
    assert "Enter your password." in response.content.decode()
    assert Client.objects.get(pk=contoso.pk).two_factor_required

    asked = client.post(page(contoso), {"reauth-password": PASSWORD})  # on the same form
    assert "A password alone will sign these end users in." in asked.content.decode()
    assert Client.objects.get(pk=contoso.pk).two_factor_required  # not before the second press
    client.post(page(contoso), {"confirm_off": "True"})
    assert not Client.objects.get(pk=contoso.pk).two_factor_required
    event = AuditEvent.objects.get(tag=str(Tag.CLIENT_TWO_FACTOR_OFF))
    assert event.actor == acme_admin and event.data == {"client": "Contoso Dental"}
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_an_admin_edits_an_end_users_number(acme, demo_world):
    casey = demo_world["user@contoso.example"]

    response = acme.post(user_url(casey), profile(casey, phone="+44 7911 123456"))

    assert response.status_code == 302
    assert refreshed(casey).phone == "+447911123456"
    assert PhoneDevice.objects.get(user=casey).number == "+447911123456"
    assert "+44 ••••••••56" in mail.outbox[-1].body


def test_adding_an_end_user_puts_them_in_this_client_whatever_is_posted(
    acme, fabrikam, contoso, globex_admin
):
    acme.post(
        f"{page(fabrikam)}users/add/",
        {
            "full_name": "Erin End",
            "email": "erin@fabrikam.example",
            "phone": "",
            "client": contoso.pk,
            "firm": globex_admin.firm_id,
            "is_admin": "on",
            "role": "admin",
        },
    )

    erin = User.objects.get(email="erin@fabrikam.example")
    assert erin.client_id == fabrikam.pk and erin.firm_id == fabrikam.firm_id
    assert erin.role == User.Role.END_USER
    assert "/email/invitation/" in mail.outbox[-1].body


def test_end_users_are_deactivated_and_reactivated(acme, demo_world):
    casey = demo_world["user@contoso.example"]

    acme.post(f"{user_url(casey)}deactivate/")
    assert not refreshed(casey).is_active
    acme.post(f"{user_url(casey)}reactivate/")
    assert refreshed(casey).is_active


def test_a_client_of_another_firm_is_not_found(globex, contoso, demo_world):
    casey = demo_world["user@contoso.example"]

    assert globex.get(page(contoso)).status_code == 404
    assert globex.post(page(contoso), {"two_factor_required": ""}).status_code == 404
    assert globex.get(f"{page(contoso)}users/add/").status_code == 404
    for suffix in ("", "deactivate/", "reactivate/", "unlock/", "invite/"):
        assert globex.post(f"{user_url(casey)}{suffix}").status_code == 404
    assert Client.objects.get(pk=contoso.pk).two_factor_required
    assert refreshed(casey).is_active


def test_an_end_user_is_not_reachable_through_another_client(acme, fabrikam, demo_world):
    casey = demo_world["user@contoso.example"]

    assert acme.get(f"{page(fabrikam)}users/{casey.pk}/").status_code == 404


def test_an_employee_is_not_reachable_as_an_end_user(acme, contoso, demo_world):
    tech = demo_world["tech@acme.example"]

    assert acme.get(f"{page(contoso)}users/{tech.pk}/").status_code == 404


def test_many_clients_come_in_pages_at_a_constant_query_cost(
    acme, acme_admin, django_assert_num_queries
):
    Client.objects.bulk_create(
        [Client(firm=acme_admin.firm, name=f"Client {i:03d}") for i in range(60)]
    )
    acme.get(URL)
    # the session, the person, one page of clients with counts, the end users' open
    # phone-number change requests
    with django_assert_num_queries(4):
        first = acme.get(URL).context["page"]
    second = acme.get(URL, {"cursor": first.next_cursor}).context["page"]

    assert len(first.items) == 50 and len(second.items) == 12
    assert not second.next_cursor


def test_a_clients_end_user_table_costs_the_same_queries_at_any_size(
    acme, fabrikam, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    acme.get(page(fabrikam))
    with CaptureQueriesContext(connection) as few:
        acme.get(page(fabrikam))
    User.objects.bulk_create(
        [
            User(
                email=f"eu{i}@fabrikam.example",
                full_name=f"End User {i:05d}",
                role=User.Role.END_USER,
                firm_id=fabrikam.firm_id,
                client=fabrikam,
                password="!",
            )
            for i in range(2000)
        ]
    )

    with django_assert_num_queries(len(few)):
        response = acme.get(page(fabrikam))
    assert len(response.context["page"].items) == 50


def test_a_client_setting_changed_meanwhile_is_not_silently_reversed(acme, contoso):
    Client.objects.filter(pk=contoso.pk).update(two_factor_required=False)  # another admin

    response = acme.post(page(contoso), {"two_factor_required": "on", "shown": "on"}, follow=True)

    assert "Someone else turned two-factor authentication off" in response.content.decode()
    assert not Client.objects.get(pk=contoso.pk).two_factor_required


def test_a_client_may_read_numbers_in_its_own_country(acme, demo_world, contoso):
    Client.objects.filter(pk=contoso.pk).update(phone_region="GB")
    casey = demo_world["user@contoso.example"]

    acme.post(user_url(casey), profile(casey, phone="07911 123456"))

    assert refreshed(casey).phone == "+447911123456"
