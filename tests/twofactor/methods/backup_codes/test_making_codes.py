"""Making a new set of backup codes follows the rule for adding a factor: ten portable ways
in must not come from a session that proved only paper (a backup code) or a cookie (a
remembered browser). Such a session is sent to "Confirm it's you" and comes back; a person
whose only factor is backup codes needs only the fresh password (as for a first factor)."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import Firm, User
from tests.signing_in import enter_password, request_token, type_token
from twofactor import methods
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.backup_codes.models import BackupCode

PAGE = "/security/backup-codes/"
CONFIRM = "/security/confirm/?next=%2Fsecurity%2Fbackup-codes%2F"
TECH = "tech@acme.example"


def stored_codes(email: str = TECH) -> list[tuple[str, object]]:
    return sorted(BackupCode.objects.filter(user__email=email).values_list("digest", "used_at"))


def by_backup_code(outbox) -> Client:
    """Acme's tech, signed in a moment ago with one of their backup codes."""
    browser = Client()
    code = backup_codes.generate(User.objects.get(email=TECH))[0]
    enter_password(browser)
    assert type_token(browser, code)["Location"] == "/"
    return browser


def by_remembered_browser(outbox) -> Client:
    """Acme's tech, signed in a moment ago past the second step by a remembered browser."""
    Firm.objects.filter(name="Acme IT").update(allow_remembered_browsers=True)
    first = Client()
    enter_password(first)
    type_token(first, request_token(first, outbox), remember="on")
    backup_codes.generate(User.objects.get(email=TECH))
    browser = Client()
    browser.cookies["remembered_browser"] = first.cookies["remembered_browser"].value
    assert enter_password(browser)["Location"] == "/"
    return browser


@pytest.fixture(params=[by_backup_code, by_remembered_browser])
def weak_session(request, demo_world, sms_outbox, settings) -> Client:
    # A second text a moment after the first (the remembered sign-in's), as in a day's use.
    settings.TWOFACTOR_RATE_LIMITS = {"sms.user": (2, 30), "sms.number": (2, 30)}
    browser = request.param(sms_outbox)
    verified_by = methods.of_device(browser.session[DEVICE_ID_SESSION_KEY])
    assert verified_by is None or not verified_by.fresh  # a cookie, or paper
    return browser


def test_a_weak_session_cannot_make_new_codes(weak_session):
    before = stored_codes()

    page = weak_session.get(PAGE)
    made = weak_session.post(PAGE)

    assert page.status_code == 302 and page["Location"] == CONFIRM
    assert made.status_code == 302 and made["Location"] == "/login/verify/"  # POST: confirm
    assert "Confirm it's you" in weak_session.get("/login/verify/").content.decode()
    assert stored_codes() == before


def test_after_confirming_with_a_texted_token_it_can(weak_session, sms_outbox):
    before = stored_codes()
    weak_session.post(PAGE)

    confirmed = type_token(weak_session, request_token(weak_session, sms_outbox))
    assert confirmed["Location"] == PAGE  # back to the page, which still changed nothing
    assert stored_codes() == before
    assert weak_session.get(PAGE).status_code == 200
    made = weak_session.post(PAGE)

    assert made.status_code == 200 and "Backup codes" in made.content.decode()
    after = stored_codes()
    assert len(after) == backup_codes.CODES_PER_SET
    assert not {digest for digest, _ in before} & {digest for digest, _ in after}


def test_a_person_whose_only_factor_is_backup_codes_needs_only_the_password(demo_world):
    """Nothing stronger to confirm with: refusing would leave them an admin's reset once
    the codes run out, and their password and a code could add a first factor anyway."""
    tech = demo_world[TECH]
    User.objects.filter(pk=tech.pk).update(phone="")
    browser = Client()
    code = backup_codes.generate(tech)[0]
    assert enter_password(browser)["Location"] == "/login/verify/"
    assert type_token(browser, code)["Location"] == "/"
    assert methods.strong_methods(User.objects.get(pk=tech.pk)) == []
    before = stored_codes()

    made = browser.post(PAGE)

    assert made.status_code == 200
    assert not {digest for digest, _ in before} & {digest for digest, _ in stored_codes()}
    session = browser.session
    session["accounts_reauth_at"] -= 11 * 60  # the password is still asked for when stale
    session.save()
    assert browser.post(PAGE)["Location"].startswith("/reauthenticate/")


def codes_part(page: str) -> str:
    return page.split('id="codes-heading"')[1].split("</section>")[0]


def test_the_security_page_says_what_making_codes_asks_for_only_when_it_will(
    weak_session, sms_outbox
):
    page = codes_part(weak_session.get("/security/").content.decode())
    assert "You will be asked to confirm it's you with a second factor first." in page
    assert "asked for your password" not in page  # entered a moment ago: not asked again

    session = weak_session.session
    session["accounts_reauth_at"] -= 11 * 60
    session.save()
    page = codes_part(weak_session.get("/security/").content.decode())
    assert "You will be asked for your password first." in page


def test_a_freshly_signed_in_person_is_told_nothing_will_be_asked(demo_world, sms_outbox):
    browser = Client()
    enter_password(browser)
    type_token(browser, request_token(browser, sms_outbox))

    page = browser.get("/security/").content.decode()

    assert "Make a new set of backup codes" in page or "Generate backup codes" in page
    assert "You will be asked" not in codes_part(page)
