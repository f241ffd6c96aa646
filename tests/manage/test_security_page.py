"""The Security page: every person's masked phone, backup codes (shown once, the password
and a factor fresh), signed-in sessions with "Sign out everywhere else", and their own events."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client

from accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.signing_in import signed_in_by_text
from tests.twofactor.recovery.lost_phones import signed_in
from twofactor.methods.backup_codes import codes as backup_codes

CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")


def log_in(email: str, agent: str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0") -> Client:
    """A real password sign-in (Globex has no second factor), from a given browser."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/login/", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def sessions_part(page: str) -> str:
    """The "Where you are signed in" part (recent events name browsers too)."""
    return page.split('id="sessions-heading"')[1].split('id="events-heading"')[0]


def test_anonymous_visitors_are_sent_to_sign_in(db):
    assert Client().get("/security/")["Location"].startswith("/login/")


@pytest.mark.parametrize("email", ["tech@acme.example", "user@contoso.example",
                                   "admin@globex.example"])
def test_every_person_sees_their_number_masked(demo_world, email):
    person = demo_world[email]
    page = signed_in(person).get("/security/").content.decode()
    assert person.phone not in page and person.phone[-2:] in page
    assert "Backup codes" in page and "Sign out everywhere else" in page


def test_making_codes_needs_the_password_re_entered(demo_world):
    browser = signed_in(demo_world["tech@acme.example"])
    response = browser.post("/security/backup-codes/")
    assert response["Location"].startswith("/reauthenticate/?next=%2Fsecurity%2Fbackup-codes%2F")
    assert not backup_codes.has_codes(demo_world["tech@acme.example"])


def test_codes_are_shown_once_with_a_download_and_print(demo_world, sms_outbox):
    browser = signed_in_by_text(Client(), sms_outbox)
    response = browser.post("/security/backup-codes/")
    page = response.content.decode()
    codes = CODE.findall(page.split("download=")[0].split('href="data:')[0])
    assert len(set(codes)) == 10
    assert response["Cache-Control"].startswith("max-age=0")
    download = unquote(re.search(r'href="data:text/plain;charset=utf-8,([^"]+)"', page).group(1))
    assert all(code in download for code in codes)
    assert "Print" in page
    later = browser.get("/security/").content.decode()
    assert not CODE.search(later) and "10 of 10 left" in later


def test_a_new_set_revokes_the_old_one(demo_world, sms_outbox):
    person = demo_world["tech@acme.example"]
    browser = signed_in_by_text(Client(), sms_outbox)
    old = CODE.findall(browser.post("/security/backup-codes/").content.decode())
    browser.post("/security/backup-codes/")
    assert backup_codes.spend(person, old[0]) is None


def test_sessions_are_listed_and_others_can_be_signed_out(demo_world):
    here = log_in("admin@globex.example")
    phone = log_in("admin@globex.example", agent="Mozilla/5.0 (iPhone) Safari/604.1")
    page = sessions_part(here.get("/security/").content.decode())
    assert "Chrome on Linux" in page and "Safari on iPhone" in page and "This browser" in page

    response = here.post("/security/sign-out-others/")
    assert response["Location"] == "/security/"
    assert phone.get("/security/")["Location"].startswith("/login/")
    page = sessions_part(here.get("/security/").content.decode())
    assert "Safari on iPhone" not in page and "Chrome on Linux" in page
    assert AuditEvent.objects.filter(tag="account:session:others_ended").exists()


def test_signing_out_ends_the_listed_session(demo_world):
    first = log_in("admin@globex.example", agent="Mozilla/5.0 (iPhone) Safari/604.1")
    first.post("/logout/")
    page = sessions_part(log_in("admin@globex.example").get("/security/").content.decode())
    assert "Safari on iPhone" not in page


def test_only_your_own_events_are_shown(demo_world):
    log_in("tech@globex.example")
    page = log_in("admin@globex.example").get("/security/").content.decode()
    assert AuditEvent.objects.filter(subject=demo_world["tech@globex.example"]).count()
    events = page.split('id="events-heading"')[1]
    # Their one sign-in: one row, its password and its result as two steps.
    assert len(re.findall(r'<td data-label="What">Signed in<', events)) == 1
    assert "2 steps" in events and "Entered the right password" in events


def test_a_change_in_progress_shows_and_can_be_cancelled_from_security(demo_world):
    from twofactor.models import PhoneChangeRequest
    from twofactor.recovery import phone_changes

    person = demo_world["tech@acme.example"]
    phone_changes.start(person, "+12015550199")
    browser = signed_in(person)
    assert "A change to a new number is in progress" in browser.get("/security/").content.decode()
    assert browser.post("/login/recovery/cancel/")["Location"] == "/security/"
    assert PhoneChangeRequest.objects.get().status == "cancelled"


def test_sessions_older_than_the_absolute_age_are_not_listed_and_are_pruned(demo_world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import UserSession

    old = log_in("admin@globex.example", agent="Mozilla/5.0 (iPhone) Safari/604.1")
    assert old.get("/security/").status_code == 200
    UserSession.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    )
    page = sessions_part(log_in("admin@globex.example").get("/security/").content.decode())
    assert "Safari on iPhone" not in page
    assert UserSession.objects.count() == 1
