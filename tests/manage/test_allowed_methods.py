"""The ways of signing in a firm (Manage Employees) or a client (its page) allows: one
checkbox per registered method, labelled by the method; allowing fewer needs the password,
is audited and is told to the firm's other admins."""

import re

import pytest
from django.core import mail

from accounts.audit import Tag
from accounts.models import AuditEvent, Client, Firm
from tests.conftest import PASSWORD
from tests.manage.policy_form import policy_data
from tests.signing_in import another_admin, sign_in

EMPLOYEES = "/manage/employees/"
# Strongest first, as the registry lists them.
# "Email code" is the tests' own method (tests/email_codes): registering it in settings is
# all it took to make it a checkbox here.
LABELS = ["Security key", "Push", "Authenticator app", "SMS", "Email code"]


def client_url() -> str:
    return f"/manage/clients/{Client.objects.get(name='Contoso Dental').pk}/"


def allow(client, url: str, *names: str):
    """Tick only ``names`` in the sign-in policy form and press its Save."""
    holder = Client.objects.get(name="Contoso Dental") if url != EMPLOYEES else Firm.objects.get(
        name="Acme IT")
    return client.post(url, policy_data(holder, methods=list(names)))


def methods_part(html: str) -> str:
    return html.split('id="methods-heading"')[1].split("</fieldset>")[0]


def box_labels(html: str) -> list[str]:
    section = methods_part(html)
    return re.findall(r'<label for="id_methods_\d+">([^<]+)</label>', section)


@pytest.mark.parametrize("url", [EMPLOYEES, "client"])
def test_every_method_is_a_checkbox_labelled_by_the_registry_and_all_are_ticked(acme, url):
    page = acme.get(client_url() if url == "client" else EMPLOYEES).content.decode()

    assert box_labels(page) == LABELS
    assert methods_part(page).count("checked") == len(LABELS)
    policy = page.split('id="sign-in-policy"')[1].split("</section>")[0]
    assert policy.count("<button") == 1  # one form, one verb
    assert '<button type="submit" class="primary">Save</button>' in policy


def test_allowing_fewer_ways_needs_the_password_again(client, demo_world):
    sign_in(client, "admin@acme.example", fresh_password=False)

    response = allow(client, EMPLOYEES, "push", "totp")

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert re.search(r'<a href="#id_reauth-password">[^<]+</a>', page)  # a link to the field
    assert page.count("Enter your password.") == 1  # the error itself, once, beside it
    assert Firm.objects.get(name="Acme IT").allowed_methods is None
    assert not AuditEvent.objects.filter(tag=Tag.FIRM_METHODS_CHANGED).exists()
    assert methods_part(page).count("checked") == 2  # the ticks are kept for the password

    data = policy_data(Firm.objects.get(name="Acme IT"), methods=["push", "totp"])
    client.post(EMPLOYEES, {**data, "reauth-password": PASSWORD})
    assert Firm.objects.get(name="Acme IT").allowed_methods == ["push", "totp"]


def test_allowing_fewer_ways_is_saved_audited_and_told_to_the_other_admins(acme, demo_world):
    other = another_admin(demo_world["admin@acme.example"].firm, "second-admin@acme.example")

    response = allow(acme, EMPLOYEES, "security_key", "push", "totp")

    assert response.status_code == 302
    assert Firm.objects.get(name="Acme IT").allowed_methods == ["security_key", "push", "totp"]
    event = AuditEvent.objects.get(tag=Tag.FIRM_METHODS_CHANGED)
    assert event.data["removed"] == ["sms", "email_code"]
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "No longer allowed: SMS, Email code" in mail.outbox[0].body


def test_allowing_more_ways_needs_no_password_and_ticking_all_allows_every_way(
    client, demo_world
):
    Firm.objects.filter(name="Acme IT").update(allowed_methods=["push"])
    sign_in(client, "admin@acme.example", fresh_password=False)

    response = allow(client, EMPLOYEES, "security_key", "push", "sms", "totp", "email_code")

    assert response["Location"] == EMPLOYEES
    assert Firm.objects.get(name="Acme IT").allowed_methods is None  # also ways added later
    assert mail.outbox == []


def test_allowing_no_way_at_all_is_a_form_error(acme):
    response = allow(acme, EMPLOYEES)

    assert response.status_code == 400
    assert "Allow at least one way to sign in." in response.content.decode()
    assert Firm.objects.get(name="Acme IT").allowed_methods is None


def test_unknown_method_names_are_a_form_error_not_a_500(acme):
    response = allow(acme, EMPLOYEES, "carrier_pigeon")

    assert response.status_code == 400
    assert Firm.objects.get(name="Acme IT").allowed_methods is None


def test_a_clients_ways_need_the_password_to_narrow_and_are_told_to_the_admins(
    client, demo_world
):
    other = another_admin(demo_world["admin@acme.example"].firm, "second-admin@acme.example")
    sign_in(client, "admin@acme.example", fresh_password=False)

    refused = allow(client, client_url(), "sms")
    assert "Enter your password." in refused.content.decode()
    assert Client.objects.get(name="Contoso Dental").allowed_methods is None

    sign_in(client, "admin@acme.example")
    allow(client, client_url(), "sms")

    assert Client.objects.get(name="Contoso Dental").allowed_methods == ["sms"]
    assert Firm.objects.get(name="Acme IT").allowed_methods is None  # employees unchanged
    assert AuditEvent.objects.filter(tag=Tag.CLIENT_METHODS_CHANGED).count() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "Contoso Dental's end users" in mail.outbox[0].body


def test_another_firms_client_is_not_reachable(globex):
    response = allow(globex, client_url(), "sms")

    assert response.status_code == 404
    assert Client.objects.get(name="Contoso Dental").allowed_methods is None
