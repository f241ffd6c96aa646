"""The firm's (or client's) choice of ways at sign-in: the challenge page offers only the
allowed ways, verification refuses an answer by any other, backup codes always work, and a
person with no allowed way set up is told so clearly (not signed in, never a 500)."""

import pytest
from django.test import Client as Browser

from accounts.models import AuditEvent, Client, Firm, User
from tests.signing_in import current_attempt, enter_password, type_token
from tests.twofactor.methods.totp.helpers import app_code, fresh, set_up_app
from twofactor import methods
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.push import answers as push_answers
from twofactor.methods.push import approvals

TECH = "tech@acme.example"


def firm_allows(*names: str) -> None:
    Firm.objects.filter(name="Acme IT").update(allowed_methods=list(names))


@pytest.fixture
def tech_with_app(fake_provider, demo_world, time_travel):
    browser = Browser()
    browser.force_login(demo_world[TECH])
    fresh(browser)
    key = set_up_app(browser)
    time_travel(90)
    return key


def test_the_challenge_page_offers_only_the_allowed_ways(fake_provider, demo_world, client):
    firm_allows("push")
    enter_password(client)

    page = client.get("/login/verify/").content.decode()

    assert "Send SMS token" not in page
    assert 'role="status"' in page  # the push's status
    assert "text message" not in page.split('id="id_token_helptext"')[1].split("</div>")[0]


def test_with_push_not_allowed_no_push_is_sent_and_an_approval_is_refused(
    fake_provider, demo_world, client
):
    firm_allows("sms")
    enter_password(client)
    attempt = current_attempt(client)

    assert fake_provider.asked_count("create_approval") == 0
    assert "Send SMS token" in client.get("/login/verify/").content.decode()
    approval = approvals.latest_of(attempt)
    result = push_answers.accept_approval(attempt, approval)
    assert not result.accepted and "does not allow" in result.message
    assert client.post("/login/verify/push/").status_code == 403


def test_with_sms_not_allowed_a_texted_token_is_refused_without_asking_the_provider(
    fake_provider, demo_world, client
):
    firm_allows("push", "totp")
    enter_password(client)

    send = client.post("/login/verify/sms/")
    fake_provider.token_is_right = True  # a right token, were the provider asked
    typed = type_token(client, "1234567")

    assert send.status_code == 403 and fake_provider.asked_count("send_sms") == 0
    assert typed.status_code == 400 and "does not allow" in typed.content.decode()
    assert fake_provider.asked_count("check_token") == 0
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(tag="account:two_factor:token_rejected",
                                     data__reason="not_allowed")


def test_with_apps_not_allowed_a_right_app_code_is_refused(tech_with_app, fake_provider):
    firm_allows("push", "sms")
    browser = Browser()
    enter_password(browser)

    response = type_token(browser, app_code(tech_with_app))

    assert response.status_code == 400
    assert "_auth_user_id" not in browser.session
    assert fake_provider.asked_count("check_token") == 1  # only as a texted token


def test_an_allowed_app_signs_in_where_sms_and_push_are_not_allowed(tech_with_app, fake_provider):
    firm_allows("totp")
    browser = Browser()
    enter_password(browser)

    assert fake_provider.asked_count("create_approval") == 0
    assert type_token(browser, app_code(tech_with_app)).status_code == 302


def test_backup_codes_always_work(fake_provider, demo_world, client):
    codes = backup_codes.generate(demo_world[TECH])
    firm_allows("totp")  # the tech has no app: only the backup codes are left
    enter_password(client)
    page = client.get("/login/verify/").content.decode()
    assert "None of the ways your organisation allows is set up for you" in page

    response = type_token(client, codes[0])

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(demo_world[TECH].pk)


def test_an_sms_only_firm_tells_a_person_without_a_phone_clearly(fake_provider, demo_world, client):
    firm_allows("sms")

    response = enter_password(client, "nophone@acme.example")

    assert response.status_code == 403
    assert "A mobile number is needed" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_app_only_firm_walks_a_person_without_an_app_to_setting_one_up(
    fake_provider, demo_world, client
):
    firm_allows("totp")

    assert enter_password(client)["Location"] == "/login/set-up/"
    assert "_auth_user_id" not in client.session
    tech = User.objects.select_related("firm").get(email="tech@acme.example")
    assert [way.name for way in methods.ways_to_set_up(tech)] == [
        "totp"
    ]


def test_a_firm_allowing_only_ways_without_a_set_up_page_names_them(
    fake_provider, demo_world, client
):
    firm_allows("sms")

    response = enter_password(client, "nophone@acme.example")

    assert response.status_code == 403
    assert "A mobile number is needed" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_clients_choice_applies_to_its_end_users_only(
    fake_provider, demo_world, client, sms_outbox
):
    Client.objects.filter(name="Contoso Dental").update(allowed_methods=["sms"])
    enter_password(client, "user@contoso.example")
    assert fake_provider.asked_count("create_approval") == 0
    assert "Send SMS token" in client.get("/login/verify/").content.decode()

    employee = Browser()
    enter_password(employee)
    assert fake_provider.asked_count("create_approval") == 1  # the firm still allows push
    assert User.objects.get(email=TECH).firm.allowed_methods is None
