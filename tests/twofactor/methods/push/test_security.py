"""Push apps on the Security page: listed from the provider (Twilio Verify's Entity), each
with "Remove", which needs a fresh password and factor and is audited and emailed; enrolling
one is audited and emailed too; a reset by an admin removes them. Against the emulator."""

import time
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client

from accounts import reauth
from accounts.audit import Tag
from accounts.models import AuditEvent
from tests.signing_in import sign_in, verified_by
from twofactor.methods.push.tags import PushTag
from twofactor.providers.base import ApprovalDetails, ProviderError
from twofactor.providers.fallback import NO_APP_ENROLLED
from twofactor.providers.twilio_verify import identity_for
from twofactor.recovery import phone_changes

TECH = "tech@acme.example"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
WHERE = {"HTTP_USER_AGENT": CHROME, "REMOTE_ADDR": "203.0.113.9"}


def confirmed(client: Client, method: str = "sms", *, password_age: int = 0) -> Client:
    """The session proved ``method`` a moment ago and the password ``password_age`` ago."""
    now = int(time.time())
    session = client.session
    verified_by(session, method)
    session[reauth.SESSION_KEY] = now - password_age
    session.save()
    return client


@pytest.fixture
def tech(demo_world):
    return demo_world[TECH]


@pytest.fixture
def browser(client, twilio, tech):
    """The tech, signed in a moment ago with an SMS token (Entity made at Twilio)."""
    return confirmed(sign_in(client, TECH))


@pytest.fixture
def app(browser, twilio_emulator, tech):
    """A phone app the tech enrolled (the app makes its factor at Twilio directly)."""
    return twilio_emulator.enroll_device(identity_for(tech), friendly_name="Pixel 8")


def remove_url(sid: str) -> str:
    return f"/security/push-apps/{sid}/remove/"


def emails_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


def assert_no_secret(body: str, person) -> None:
    assert person.phone not in body and person.phone[-7:] not in body


# Enrolling -------------------------------------------------------------------------------


def test_enrolling_an_app_is_audited_and_emailed_with_when_and_where(
    browser, twilio_emulator, tech
):
    mail.outbox.clear()
    response = browser.post("/twofactor/push/enrollment/", **WHERE)
    assert response.status_code == 200

    [email] = emails_to(tech)
    assert "phone app was set up" in email.subject
    assert "approves your Partner Portal" in email.body
    assert "203.0.113.9, Chrome on Linux" in email.body and "UTC" in email.body
    assert response.json()["access_token"] not in email.body
    assert_no_secret(email.body, tech)
    event = AuditEvent.objects.get(tag=str(PushTag.PUSH_APP_ADDED), subject=tech)
    assert event.ip_address == "203.0.113.9"


def test_a_refused_enrolment_sends_no_email_and_records_no_app(client, twilio, tech):
    confirmed(sign_in(client, TECH), "backup_code")
    mail.outbox.clear()
    assert client.post("/twofactor/push/enrollment/").status_code == 403
    assert emails_to(tech) == []
    assert not AuditEvent.objects.filter(tag=str(PushTag.PUSH_APP_ADDED)).exists()


# Listing ---------------------------------------------------------------------------------


def test_the_security_page_lists_the_persons_apps_each_with_remove(
    browser, twilio_emulator, app, demo_world
):
    twilio_emulator.enroll_device(
        identity_for(demo_world["admin@acme.example"]), friendly_name="Admin's iPhone"
    )
    page = browser.get("/security/").content.decode()
    assert "Phone apps for push" in page
    assert "Pixel 8" in page and "Ready" in page
    assert f'action="{remove_url(app)}"' in page and ">Remove</button>" in page
    assert "Admin&#x27;s iPhone" not in page and "Admin's iPhone" not in page


def test_a_half_finished_enrolment_is_listed_too(browser, twilio_emulator, tech, app):
    twilio_emulator.factors[app]["status"] = "unverified"
    assert "Setup not finished" in browser.get("/security/").content.decode()


def test_with_no_app_the_page_says_so(browser):
    assert "No phone app set up" in browser.get("/security/").content.decode()


def test_a_provider_outage_leaves_the_page_working_with_a_clear_message(
    browser, twilio_emulator, app
):
    twilio_emulator.faults.status_5xx = 503
    response = browser.get("/security/")
    assert response.status_code == 200
    assert "not answering" in response.content.decode()


@pytest.mark.parametrize("settings_fixture", ["authy_settings", "local"])
def test_without_push_apps_at_the_provider_there_is_nothing_to_list(
    request, client, demo_world, settings, settings_fixture
):
    if settings_fixture == "local":
        settings.TWOFACTOR_PROVIDER = "local"
    else:
        request.getfixturevalue(settings_fixture)
    confirmed(sign_in(client, TECH))
    assert "Phone apps for push" not in client.get("/security/").content.decode()
    assert client.post(remove_url("YF" + "a" * 32)).status_code == 404


# Removing --------------------------------------------------------------------------------


def test_remove_deletes_the_app_at_twilio_audits_and_emails(browser, twilio_emulator, tech, app):
    mail.outbox.clear()
    response = browser.post(remove_url(app), **WHERE)

    assert response["Location"] == "/security/"
    assert app not in twilio_emulator.factors
    assert "Pixel 8 is removed" in browser.get("/security/").content.decode()
    [email] = emails_to(tech)
    assert "removed" in email.subject
    assert "Pixel 8 removed" in email.body
    assert "203.0.113.9, Chrome on Linux" in email.body and "UTC" in email.body
    assert_no_secret(email.body, tech)
    event = AuditEvent.objects.get(tag=str(PushTag.PUSH_APP_REMOVED), subject=tech)
    assert event.data == {"app": "Pixel 8"}


def test_a_removed_app_can_no_longer_approve_a_sign_in(browser, twilio, twilio_emulator, tech, app):
    browser.post(remove_url(app))
    with pytest.raises(ProviderError) as refused:
        twilio.create_approval(tech, identity_for(tech), ApprovalDetails(message="Sign in"))
    assert refused.value.code == NO_APP_ENROLLED


@pytest.mark.parametrize(
    ("method", "password_age", "goes_to"),
    [
        ("backup_code", 0, "/login/verify/"),  # a backup code is not a factor: confirm it's you
        ("sms", 11 * 60, "/reauthenticate/"),  # the password is older than 10 minutes
    ],
)
def test_a_stolen_session_cannot_strip_an_app_without_a_fresh_password_and_factor(
    client, twilio, twilio_emulator, tech, method, password_age, goes_to
):
    confirmed(sign_in(client, TECH), method, password_age=password_age)
    sid = twilio_emulator.enroll_device(identity_for(tech), friendly_name="Pixel 8")
    mail.outbox.clear()

    response = client.post(remove_url(sid))

    assert response.status_code == 302 and response["Location"].startswith(goes_to)
    assert sid in twilio_emulator.factors
    assert emails_to(tech) == []
    assert not AuditEvent.objects.filter(tag=str(PushTag.PUSH_APP_REMOVED)).exists()


def test_after_confirming_the_password_the_remove_page_asks_once_more(
    client, twilio, twilio_emulator, tech
):
    confirmed(sign_in(client, TECH), password_age=11 * 60)
    sid = twilio_emulator.enroll_device(identity_for(tech), friendly_name="Pixel 8")
    asked = client.post(remove_url(sid))["Location"]
    assert asked == "/reauthenticate/?next=" + quote(remove_url(sid), safe="")  # then back
    confirmed(client)  # the password entered again
    page = client.get(remove_url(sid)).content.decode()
    assert "Pixel 8" in page and ">Remove</button>" in page
    assert sid in twilio_emulator.factors  # a GET removes nothing
    assert client.post(remove_url(sid))["Location"] == "/security/"
    assert sid not in twilio_emulator.factors


def test_another_persons_app_cannot_be_removed(browser, twilio_emulator, demo_world):
    other = twilio_emulator.enroll_device(identity_for(demo_world["admin@acme.example"]))
    mail.outbox.clear()
    response = browser.post(remove_url(other))
    assert response["Location"] == "/security/"
    assert other in twilio_emulator.factors
    assert mail.outbox == []
    assert not any(e.request.method == "DELETE" for e in twilio_emulator.exchanges)


@pytest.mark.parametrize("sid", ["..%2F..%2Fx", "YF" + "z" * 32, "x" * 3000])
def test_a_hostile_id_is_a_clear_answer_never_a_500(browser, twilio_emulator, app, sid):
    response = browser.post(remove_url(sid))
    assert response.status_code in (302, 404)
    assert app in twilio_emulator.factors


def test_an_outage_while_removing_says_so_and_keeps_the_app(browser, twilio_emulator, tech, app):
    twilio_emulator.faults.status_5xx = 503
    response = browser.post(remove_url(app), follow=True)
    assert "not answering" in response.content.decode()
    twilio_emulator.faults.reset()
    assert app in twilio_emulator.factors


# An admin's reset ------------------------------------------------------------------------


def test_an_admin_reset_removes_the_persons_apps_at_twilio(
    twilio, twilio_emulator, tech, acme_admin, app
):
    other = twilio_emulator.enroll_device(identity_for(acme_admin))
    mail.outbox.clear()

    phone_changes.reset_second_factor(tech, acme_admin)

    assert [f["identity"] for f in twilio_emulator.factors.values()] == [identity_for(acme_admin)]
    assert other in twilio_emulator.factors
    [email] = emails_to(tech)
    assert "1 phone app for push approvals was removed" in email.body
    event = AuditEvent.objects.get(tag=str(Tag.FACTOR_RESET), subject=tech)
    assert event.data["push_apps_removed"] == 1
