"""The second-factor middleware: with only the password done nothing else is reachable; a
signed-in session that newly needs a second factor is stepped back; sessions time out; and
a verified page costs no extra query."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.middleware import return_path
from accounts.models import AuditEvent, Firm
from tests.conftest import PASSWORD
from tests.routes import every_view
from tests.signing_in import enter_password, request_token, type_token

# Fixed values: parallel workers must collect the same test ids. No row has this UUID.
SAMPLES = {"uuid": "3f2b8c1e-5d4a-4e6b-9c7d-0a1b2c3d4e5f", "int": "1", "str": "x", "slug": "x",
           "path": "x"}


def every_route(*, marked: bool, mark: str = "reachable_mid_sign_in"):
    """Every URL of the portal whose view is (or is not) marked ``@reachable_mid_sign_in``
    (or ``mark``), with sample values for its parameters."""
    for route, view in every_view():
        if bool(getattr(view, mark, False)) is marked:
            yield "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


# The pages a password alone reaches: signing in and out, the second-factor pages, lost
# phones, email links, provider callbacks and the simulated phone. Marking another view
# reachable must be a decision made here too.
REACHABLE_MID_SIGN_IN = {
    "/login/", "/logout/", "/login/verify/", "/login/verify/sms/", "/login/verify/push/",
    "/login/verify/status/", "/login/verify/key/options/", "/login/verify/key/",
    "/login/passkey/options/", "/login/passkey/", "/login/help/", "/login/set-up/",
    "/login/recovery/",
    "/login/recovery/code/",
    "/login/recovery/resend/", "/login/recovery/cancel/",
    f"/email/phone-change/{SAMPLES['uuid']}/confirm/x/",
    f"/email/phone-change/{SAMPLES['uuid']}/cancel/x/",
    f"/email/push/{SAMPLES['uuid']}/not-me/x/",
    "/email/invitation/x/x/", "/email/password-reset/x/x/",
    "/twofactor/callbacks/authy/", "/twofactor/callbacks/twilio/",
    "/dev/phone/", f"/dev/phone/requests/{SAMPLES['uuid']}/x/", "/dev/phone/phones/1/devices/",
    "/dev/phone/devices/1/remove/",
    "/login/verify/email-code/",  # the tests' own method (tests/email_codes)
    # The Partner Portal app's API, called from the phone (no session; a phone's browser may
    # also hold a half-finished sign-in of its own).
    "/app/api/pair", "/app/api/challenge", "/app/api/requests", "/app/api/answer",
    "/app/api/subscription",
    # and its pages: the same for everyone, nothing about anyone in them.
    "/app/", "/app/pair/", "/app/manifest.webmanifest", "/app/sw.js",
}


def test_only_the_listed_views_are_marked_reachable_mid_sign_in():
    assert set(every_route(marked=True)) == REACHABLE_MID_SIGN_IN


OTHER_URLS = sorted(
    set(every_route(marked=False))
    | {"/admin/", "/admin/login/", "/manage/employees/", "/manage/clients/", "/manage/activity/",
       "/security/", "/dashboard/", "/site/", "/reauthenticate/", "/api/anything", "/"}
)


def test_the_route_list_covers_the_admin_pages():
    assert {"/manage/employees/", "/dashboard/", "/security/"} <= set(OTHER_URLS)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", OTHER_URLS)
def test_with_only_the_password_every_other_url_goes_to_the_challenge(pending, url, method):
    response = getattr(pending, method)(url)

    assert response.status_code in (302, 404), url
    if response.status_code == 302:
        assert response["Location"] == "/login/verify/"
    body = response.content.decode()
    assert "Acme IT" not in body and "Terry" not in body


def test_with_only_the_password_the_person_is_anonymous_to_views(pending):
    response = pending.get("/login/")

    assert response.status_code == 200  # the login page, not a signed-in redirect
    assert "Sign out" not in response.content.decode()


def test_a_signed_in_session_is_stepped_back_when_its_firm_turns_2fa_on(client, demo_world):
    client.post("/login/", {"email": "tech@globex.example", "password": PASSWORD})
    assert client.get("/dashboard/").status_code == 200

    Firm.objects.filter(name="Globex MSP").update(two_factor_required=True)
    response = client.get("/security/")

    assert response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.session["twofactor_attempt"]
    assert client.get("/dashboard/")["Location"] == "/login/verify/"
    assert AuditEvent.objects.filter(tag="account:two_factor:required_again").exists()


def test_a_stepped_back_session_returns_to_its_page_after_the_second_factor(
    client, demo_world, sms_outbox
):
    client.post("/login/", {"email": "tech@globex.example", "password": PASSWORD})
    Firm.objects.filter(name="Globex MSP").update(two_factor_required=True)
    client.get("/security/")

    response = type_token(client, request_token(client, sms_outbox))

    assert response["Location"] == "/security/"
    assert client.get("/security/").status_code == 200


def test_a_verified_page_costs_the_same_queries_with_and_without_the_middleware(
    pending, sms_outbox, settings, django_assert_num_queries
):
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")  # the first request after signing in stamps the session
    with_middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = [m for m in with_middleware if "twofactor" not in m]
    plain = Client()  # a new client loads the changed middleware list
    plain.cookies = pending.cookies
    with CaptureQueriesContext(connection) as without_middleware:
        assert plain.get("/dashboard/").status_code == 200
    settings.MIDDLEWARE = with_middleware
    guarded = Client()
    guarded.cookies = pending.cookies

    with django_assert_num_queries(len(without_middleware)):
        assert guarded.get("/dashboard/").status_code == 200


def test_a_verified_page_view_does_not_write_the_session(pending, sms_outbox):
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")

    with CaptureQueriesContext(connection) as queries:
        pending.get("/dashboard/")

    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert not [q for q in queries if "otp" in q["sql"] or "phonedevice" in q["sql"]]


def test_a_session_ends_after_an_hour_idle(pending, sms_outbox, time_travel):
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")

    time_travel(3601)
    response = pending.get("/dashboard/")

    assert response["Location"] == "/login/?next=%2Fdashboard%2F"
    assert "_auth_user_id" not in pending.session
    assert AuditEvent.objects.filter(tag="account:session:expired", data__reason="idle").exists()


def test_activity_keeps_a_session_alive_until_twelve_hours(pending, sms_outbox, time_travel):
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")

    for _ in range(23):  # every 30 minutes for eleven and a half hours
        time_travel(1800)
        assert pending.get("/dashboard/").status_code == 200
    time_travel(1800 + 1)
    response = pending.get("/dashboard/")

    assert response["Location"].startswith("/login/")
    expired = AuditEvent.objects.filter(tag="account:session:expired")
    assert expired.filter(data__reason="absolute").exists()


def test_the_session_timeouts_are_configurable(pending, sms_outbox, time_travel, settings):
    settings.SESSION_IDLE_SECONDS = 120
    type_token(pending, request_token(pending, sms_outbox))
    pending.get("/dashboard/")

    time_travel(121)

    assert pending.get("/dashboard/")["Location"].startswith("/login/")


def test_a_password_only_session_also_times_out(client, demo_world, time_travel):
    enter_password(client, "tech@globex.example")
    client.get("/dashboard/")

    time_travel(3601)

    assert client.get("/dashboard/")["Location"].startswith("/login/")


def test_logging_out_works_when_2fa_was_just_switched_on(client, demo_world):
    client.post("/login/", {"email": "tech@globex.example", "password": PASSWORD})
    Firm.objects.filter(name="Globex MSP").update(two_factor_required=True)

    response = client.post("/logout/")

    assert response["Location"] == "/login/"
    assert not client.session.items()


@pytest.mark.parametrize("path", ["//evil.example/", "/\\evil.example", "///evil.example"])
def test_a_stepped_back_session_never_returns_to_another_host(rf, path):
    request = rf.get("/")
    request.path = path

    back = return_path(request)
    assert back == "" or (back.startswith("/") and back[1] not in "/\\")


def test_a_stepped_back_session_returns_to_a_page_of_this_site(rf):
    assert return_path(rf.get("/security/?tab=phone")) == "/security/?tab=phone"
    assert return_path(rf.post("/security/")) == ""


# The pages a first sign-in's set-up session reaches (the password and an emailed code, no
# factor yet): its own page, the set-up pages, signing out, and the phone app's API.
REACHABLE_SETTING_UP = {
    "/login/set-up/", "/login/help/", "/logout/",
    "/security/phone-app/", "/security/phone-app/qr.svg",
    "/security/keys/add/", "/security/keys/add/options/", "/security/keys/add/finish/",
    "/security/authenticator-app/", "/security/authenticator-app/qr.svg",
    "/app/api/pair", "/app/api/challenge", "/app/api/requests", "/app/api/answer",
    "/app/api/subscription",
}
NOT_WHILE_SETTING_UP = sorted(
    set(every_route(marked=False, mark="reachable_setting_up"))
    | {"/admin/", "/manage/employees/", "/security/", "/dashboard/", "/reauthenticate/", "/"}
)


def test_only_the_listed_views_are_marked_reachable_setting_up():
    assert set(every_route(marked=True, mark="reachable_setting_up")) == REACHABLE_SETTING_UP


@pytest.fixture
def setting_up(client, demo_world):
    """nophone, past the password and the emailed code, with no factor yet."""
    from tests.twofactor.enrolment.test_first_sign_in import ask_for_code, type_code
    from twofactor.enrolment import windows

    windows.open_window(demo_world["nophone@acme.example"], by=demo_world["admin@acme.example"])
    assert type_code(client, ask_for_code(client))["Location"] == "/login/set-up/"
    return client


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", NOT_WHILE_SETTING_UP)
def test_a_set_up_session_reaches_no_other_url(setting_up, url, method):
    response = getattr(setting_up, method)(url)

    assert response.status_code in (302, 404), url
    if response.status_code == 302:
        assert response["Location"] == "/login/set-up/"
    assert "Acme IT" not in response.content.decode()
