"""Change password, from the Security page: the current password (wrong ones count like
those at "Confirm your password"), the new one twice under Django's validators; a change ends
every other session and pending sign-in, keeps this one, is audited and emailed."""

import pytest
from django.core import mail
from django.test import Client

from accounts.audit import Tag
from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.signing_in import sign_in

NEW_PASSWORD = "a-brand-new-passphrase-42"
GLOBEX_TECH = "tech@globex.example"


def change(client, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post("/password/change/", {
        "old_password": current, "new_password1": new, "new_password2": again or new,
    })


@pytest.fixture
def tech(client, demo_world):
    return sign_in(client, GLOBEX_TECH, fresh_password=False)


def test_the_security_page_links_to_change_password(tech):
    page = tech.get("/security/").content.decode()
    assert 'href="/password/change/">Change password</a>' in page
    form = tech.get("/password/change/").content.decode()
    for label in ("Current password", "New password", "New password again"):
        assert f">{label}</label>" in form


def test_a_change_keeps_this_session_ends_the_others_and_tells_the_person(tech):
    elsewhere = sign_in(Client(), GLOBEX_TECH)
    mail.outbox.clear()

    response = change(tech)

    assert response["Location"] == "/security/"
    page = tech.get("/security/").content.decode()
    assert "Your password is changed" in page
    assert elsewhere.get("/security/")["Location"].startswith("/login/")
    assert User.objects.get(email=GLOBEX_TECH).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(tag=str(Tag.PASSWORD_CHANGED),
                                     subject__email=GLOBEX_TECH).exists()
    assert [m.to for m in mail.outbox] == [[GLOBEX_TECH]]
    assert "was just changed" in mail.outbox[0].body
    assert Client().post("/login/", {"email": GLOBEX_TECH, "password": PASSWORD}).status_code == 200
    assert Client().post("/login/", {"email": GLOBEX_TECH,
                                     "password": NEW_PASSWORD}).status_code == 302


def test_the_security_page_lists_only_this_session_afterwards(tech):
    sign_in(Client(), GLOBEX_TECH)
    change(tech)

    page = tech.get("/security/").content.decode()

    assert page.count("This browser") == 1 and page.count('data-label="Device"') == 1


@pytest.mark.parametrize(
    ("current", "new", "again", "says"),
    [
        ("not-my-password", NEW_PASSWORD, NEW_PASSWORD, "entered incorrectly"),
        (PASSWORD, NEW_PASSWORD, "something-else-42", "The two password fields"),
        (PASSWORD, "Qz7!x", "Qz7!x", "too short"),
        (PASSWORD, "password123", "password123", "too common"),
        (PASSWORD, "tech@globex.example", "tech@globex.example", "too similar"),
    ],
)
def test_a_refused_change_says_why_echoes_no_password_and_changes_nothing(
    tech, current, new, again, says
):
    response = change(tech, current, new, again)

    page = response.content.decode()
    assert response.status_code == 200 and says in page
    for secret in {current, new, again} - {"tech@globex.example"}:
        assert secret not in page
    assert User.objects.get(email=GLOBEX_TECH).check_password(PASSWORD)
    assert "_auth_user_id" in tech.session


def test_five_wrong_current_passwords_end_the_session(tech):
    for _ in range(4):
        assert change(tech, "not-my-password").status_code == 200

    response = change(tech, "not-my-password")

    assert response["Location"] == "/login/"
    assert tech.get("/security/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(tag="account:session:ended_after_wrong_passwords").exists()


def test_wrong_current_passwords_share_the_count_of_confirm_your_password(tech):
    for _ in range(3):
        tech.post("/reauthenticate/", {"password": "guess"})
    change(tech, "not-my-password")

    assert change(tech, "not-my-password")["Location"] == "/login/"


def test_a_refused_new_password_with_the_right_current_one_does_not_count(tech):
    for _ in range(10):
        change(tech, PASSWORD, "short", "short")

    assert change(tech)["Location"] == "/security/"


def test_signed_out_it_sends_to_log_in(client, db):
    assert client.get("/password/change/")["Location"].startswith("/login/")
