"""A first sign-in where 2FA is required and the person has no way yet: the password and a
code emailed to them, only while a set-up window is open, then a way set up and used once.
Each attack below fails when the check it aims at is removed."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from accounts import audit
from accounts.audit import Tag
from accounts.models import AuditEvent, User
from manage import demo
from tests.concurrency import needs_postgresql, race
from tests.conftest import PASSWORD
from tests.signing_in import enter_password
from tests.twofactor.methods.totp.helpers import app_code, key_from_page
from twofactor.enrolment import email_codes, windows
from twofactor.enrolment.models import EnrolmentWindow

NOPHONE = "nophone@acme.example"
SET_UP = "/login/set-up/"


@pytest.fixture
def nophone(demo_world) -> User:
    return demo_world[NOPHONE]


@pytest.fixture
def admin(demo_world) -> User:
    return demo_world["admin@acme.example"]


@pytest.fixture
def window(nophone, admin) -> EnrolmentWindow:
    return windows.open_window(nophone, by=admin)


def emailed_code(to: str = NOPHONE) -> str:
    sent = [m for m in mail.outbox if m.to == [to] and "set up signing in" in m.subject]
    return re.search(r"^\s+(\d{8})$", sent[-1].body, re.M).group(1)


def ask_for_code(client: Client, email: str = NOPHONE) -> str:
    assert enter_password(client, email)["Location"] == SET_UP
    assert client.post(SET_UP, {"action": "send"})["Location"] == SET_UP
    return emailed_code(email)


def type_code(client: Client, code: str):
    return client.post(SET_UP, {"action": "code", "code": code})


def is_setting_up(client: Client) -> bool:
    return "_auth_user_id" in client.session and "twofactor_setting_up" in client.session


def test_without_a_window_the_page_says_so_and_names_the_admins(client, nophone):
    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    response = client.get(SET_UP)

    body = response.content.decode()
    assert response.status_code == 403
    assert "No set-up window is open for you." in body
    assert "Avery Acme" in body and "admin@acme.example" in body
    assert client.post(SET_UP, {"action": "send"}).status_code in (302, 403)
    assert not [m for m in mail.outbox if m.to == [NOPHONE]]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(tag="account:enrolment:refused", subject=nophone).exists()


def test_the_walk_through_sets_up_an_app_and_proves_it_once(client, nophone, admin, window):
    code = ask_for_code(client)
    assert type_code(client, code)["Location"] == SET_UP
    assert is_setting_up(client)

    ways = client.get(SET_UP).content.decode()
    assert ways.index("The Partner Portal app on your phone") < ways.index("A security key")
    assert ways.index("A security key") < ways.index("An authenticator app")
    assert "Admin" not in ways  # no navigation to pages it cannot reach

    page = client.get("/security/authenticator-app/")
    assert page.status_code == 200
    key = key_from_page(page.content.decode())
    assert client.post("/security/authenticator-app/", {"code": app_code(key)}).status_code == 302

    # The next page goes on to the challenge: the new factor is proven once there.
    assert client.get("/dashboard/")["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    window.refresh_from_db()
    assert window.used_at is not None
    to_admin = [m for m in mail.outbox if m.to == ["admin@acme.example"]]
    assert "set up their first way to sign in" in to_admin[-1].subject
    assert "Authenticator app" in to_admin[-1].body
    assert AuditEvent.objects.filter(
        tag="account:enrolment:first_factor_set_up", subject=nophone
    ).exists()


def test_a_setting_up_session_reaches_only_the_set_up_pages(client, window):
    type_code(client, ask_for_code(client))

    for path in ("/dashboard/", "/security/", "/manage/employees/", "/security/backup-codes/"):
        assert client.get(path)["Location"] == SET_UP, path
    for path in ("/security/phone-app/", "/security/keys/add/", "/security/authenticator-app/"):
        assert client.get(path).status_code == 200, path


def test_a_setting_up_session_ends_when_the_password_is_no_longer_recent(
    client, window, time_travel, monkeypatch
):
    type_code(client, ask_for_code(client))
    session = client.session
    session["accounts_reauth_at"] -= 601
    session.save()

    assert client.get("/security/authenticator-app/")["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_an_expired_code_is_refused(client, window, time_travel, settings):
    settings.ENROLMENT_CODE_SECONDS = 60  # shorter than the half-way session's 10 minutes
    code = ask_for_code(client)
    time_travel(61)

    response = type_code(client, code)
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert not is_setting_up(client)


def test_a_code_is_accepted_once(client, window):
    code = ask_for_code(client)
    nonce = client_nonce(client)
    assert type_code(client, code)["Location"] == SET_UP
    client.post("/logout/")

    again = Client()  # the same browser's nonce, so only the replay differs
    assert enter_password(again, NOPHONE)["Location"] == SET_UP
    session = again.session
    session["twofactor_first_signin"] = {**session["twofactor_first_signin"], "nonce": nonce}
    session.save()
    assert type_code(again, code).status_code == 400
    assert not is_setting_up(again)


def client_nonce(client) -> str | None:
    return (client.session.get("twofactor_first_signin") or {}).get("nonce")


def test_a_code_works_only_in_the_browser_that_asked(client, window):
    code = ask_for_code(client)
    other = Client()
    assert enter_password(other, NOPHONE)["Location"] == SET_UP

    assert type_code(other, code).status_code == 400
    assert not is_setting_up(other)


def test_another_persons_code_is_refused(client, nophone, admin, window):
    second = User.objects.create_user(
        "nophone2@acme.example", PASSWORD, full_name="No Phone Two", firm=nophone.firm
    )
    windows.open_window(second, by=admin)
    code = ask_for_code(client)
    theirs = Client()
    ask_for_code(theirs, "nophone2@acme.example")
    # The same browser nonce, so only the person differs.
    session = theirs.session
    session["twofactor_first_signin"] = {**session["twofactor_first_signin"],
                                         "nonce": client_nonce(client)}
    session.save()

    assert type_code(theirs, code).status_code == 400
    assert not is_setting_up(theirs)


def test_wrong_codes_void_the_code(client, window):
    code = ask_for_code(client)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(5):
        assert type_code(client, wrong).status_code == 400

    assert type_code(client, code).status_code == 400
    assert not is_setting_up(client)


def test_an_invitation_window_does_not_count_within_24_hours_of_a_password_reset(
    client, nophone, admin, time_travel
):
    windows.open_window(nophone)  # the invitation's
    audit.record(Tag.PASSWORD_SET, subject=nophone, via="password_reset")

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    response = client.get(SET_UP)
    assert response.status_code == 403
    assert "password was reset in the last 24 hours" in response.content.decode()

    time_travel(24 * 3600 + 60)
    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert client.get(SET_UP).status_code == 200


def test_an_admins_window_after_a_password_reset_counts(client, nophone, admin):
    audit.record(Tag.PASSWORD_SET, subject=nophone, via="password_reset")
    windows.open_window(nophone, by=admin)

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert client.get(SET_UP).status_code == 200


def test_an_email_change_closes_older_windows_for_24_hours(client, nophone, window):
    audit.record(Tag.PROFILE_CHANGED, subject=nophone, fields=["email"])

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert "email address was changed" in client.get(SET_UP).content.decode()


def test_after_a_reset_of_factors_only_a_newer_admin_window_counts(
    client, nophone, admin, window, time_travel
):
    audit.record(Tag.FACTOR_RESET, actor=admin, subject=nophone)
    time_travel(3 * 24 * 3600)

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert "removed by an administrator" in client.get(SET_UP).content.decode()

    windows.open_window(nophone, by=admin)
    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert client.get(SET_UP).status_code == 200


def test_a_window_closes_after_its_days(client, window, time_travel):
    time_travel(7 * 24 * 3600 + 1)

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert client.get(SET_UP).status_code == 403


def test_an_admin_opens_a_window_from_the_persons_page(acme, nophone):
    page = acme.get(f"/manage/employees/{nophone.pk}/").content.decode()
    assert "Open a set-up window" in page

    response = acme.post(f"/manage/employees/{nophone.pk}/setup_window/")

    assert response.status_code == 302
    window = EnrolmentWindow.objects.get(user=nophone)
    assert window.opened_by.email == "admin@acme.example"
    assert window.closes_at - window.opened_at == timedelta(days=7)
    assert AuditEvent.objects.filter(tag="account:enrolment:window_opened").exists()
    assert "A set-up window is open until" in acme.get(response["Location"]).content.decode()


def test_opening_a_window_needs_a_recent_password(client, demo_world, nophone):
    from tests.signing_in import sign_in

    stale = sign_in(client, "admin@acme.example", fresh_password=False)
    response = stale.post(f"/manage/employees/{nophone.pk}/setup_window/")

    assert response["Location"].startswith("/reauthenticate/")
    assert not EnrolmentWindow.objects.exists()


def test_a_new_code_waits_a_minute_and_codes_a_day_are_capped(
    client, nophone, window, time_travel, settings
):
    settings.ENROLMENT_CODE_MAX_PER_DAY = 2
    ask_for_code(client)
    client.post(SET_UP, {"action": "send"})
    assert "You can ask for another in" in client.get(SET_UP).content.decode()
    assert len(mail.outbox) == 1

    time_travel(61)
    client.post(SET_UP, {"action": "send"})
    time_travel(61)
    client.post(SET_UP, {"action": "send"})

    assert "too many codes today" in client.get(SET_UP).content.decode()
    assert len([m for m in mail.outbox if m.to == [NOPHONE]]) == 2


def test_the_invitation_opens_a_window(acme, demo_world):
    acme.post("/manage/employees/add/", {
        "full_name": "New Person", "email": "new@acme.example", "phone": "", "role": "tech",
    })
    person = User.objects.get(email="new@acme.example")
    window = EnrolmentWindow.objects.get(user=person)

    assert window.opened_by is None
    assert windows.verdict(person).open


def test_only_an_admins_window_outweighs_a_reset_of_factors(client, nophone, admin):
    audit.record(Tag.FACTOR_RESET, actor=admin, subject=nophone)
    windows.open_window(nophone)  # an invitation's, after the reset

    assert enter_password(client, NOPHONE)["Location"] == SET_UP
    assert client.get(SET_UP).status_code == 403


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_racing_submissions_of_one_code_spend_it_once():
    demo.seed(PASSWORD)
    person = User.objects.get(email=NOPHONE)
    email_codes.send(person, "nonce")
    code = emailed_code()

    spent = race(lambda: email_codes.spend(User.objects.get(pk=person.pk), "nonce", code), 20)

    assert spent.count(True) == 1, spent


def test_the_help_page_covers_every_way_and_the_first_sign_in(client, demo_world):
    page = client.get("/login/help/").content.decode()

    for way in ("The Partner Portal app", "OneTouch", "A security key", "An authenticator app",
                "SMS token", "Backup codes"):
        assert f"<strong>{way}" in page, way
    assert "Your first sign-in" in page and "Open a set-up window" in page


def test_another_firms_admin_cannot_open_a_window(globex, nophone):
    assert globex.post(f"/manage/employees/{nophone.pk}/setup_window/").status_code == 404
    assert not EnrolmentWindow.objects.exists()
