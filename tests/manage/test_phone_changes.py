"""Admins and lost phones: approve a phone change early or reject it, reset a person's
second factor. Own firm only (404 otherwise), password re-entered, never their own."""

import pytest
from django.core import mail

from accounts import phones
from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD
from tests.twofactor.recovery.lost_phones import NEW_NUMBER, signed_in
from twofactor import registration
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.models import PhoneChangeRequest
from twofactor.recovery import phone_changes

Status = PhoneChangeRequest.Status


def held_request(person: User, outbox) -> PhoneChangeRequest:
    """A request whose number is proven and whose email is confirmed."""
    from tests.twofactor.recovery.lost_phones import code_texted_to, emailed_link

    change = phone_changes.start(person, NEW_NUMBER)
    phone_changes.prove(change, code_texted_to(outbox, NEW_NUMBER))
    change.refresh_from_db()
    assert phone_changes.confirm(change, emailed_link("confirm").rstrip("/").rsplit("/", 1)[1])
    change.refresh_from_db()
    return change


@pytest.fixture
def tech(demo_world, sms_outbox):
    person = demo_world["tech@acme.example"]
    registration.register_phone(person)
    return person


@pytest.fixture
def change(tech, sms_outbox):
    return held_request(tech, sms_outbox)


def test_manage_employees_lists_open_requests_with_approve_and_reject(acme_admin, change):
    page = signed_in(acme_admin).get("/manage/employees/").content.decode()
    assert "Phone number change requests" in page and "Terry Acme" in page
    assert f"/manage/phone-changes/{change.pk}/approve/" in page
    assert NEW_NUMBER not in page  # masked


def test_another_firms_admin_neither_sees_nor_can_approve(globex_admin, change):
    browser = signed_in(globex_admin, password=PASSWORD)
    assert "Terry Acme" not in browser.get("/manage/employees/").content.decode()
    for action in ["approve", "reject"]:
        path = f"/manage/phone-changes/{change.pk}/{action}/"
        assert browser.get(path).status_code == 404
        assert browser.post(path).status_code == 404
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD


def test_techs_get_403(demo_world, change):
    browser = signed_in(demo_world["tech@globex.example"], password=PASSWORD)
    assert browser.post(f"/manage/phone-changes/{change.pk}/approve/").status_code == 403


def test_approving_needs_the_password_re_entered(acme_admin, change):
    browser = signed_in(acme_admin)
    page = browser.get(f"/manage/phone-changes/{change.pk}/approve/").content.decode()
    assert 'name="reauth-password"' in page
    response = browser.post(f"/manage/phone-changes/{change.pk}/approve/")
    assert response.status_code == 400 and "Enter your password." in response.content.decode()
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD

    response = browser.post(f"/manage/phone-changes/{change.pk}/approve/",
                            {"reauth-password": PASSWORD, "next": "/manage/employees/"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status != Status.ON_HOLD


def test_the_approve_early_page_shows_the_full_new_number(acme_admin, change):
    page = signed_in(acme_admin, password=PASSWORD).get(
        f"/manage/phone-changes/{change.pk}/approve/"
    ).content.decode()
    assert phones.display(NEW_NUMBER) in page


def test_an_admin_approves_early_and_the_number_changes_at_once(acme_admin, tech, change):
    browser = signed_in(acme_admin, password=PASSWORD)
    response = browser.post(f"/manage/phone-changes/{change.pk}/approve/",
                            {"next": "/manage/employees/"})
    assert response.status_code == 302 and response["Location"] == "/manage/employees/"
    tech.refresh_from_db()
    assert tech.phone == NEW_NUMBER
    assert "now signs in with the new number" in browser.get("/manage/employees/").content.decode()


def test_an_admin_cannot_approve_their_own_request(acme_admin, sms_outbox):
    registration.register_phone(acme_admin)
    own = held_request(acme_admin, sms_outbox)
    browser = signed_in(acme_admin, password=PASSWORD)
    page = browser.get("/manage/employees/").content.decode()
    assert f"/manage/phone-changes/{own.pk}/approve/" not in page
    assert "your own request" in browser.get(f"/manage/phone-changes/{own.pk}/approve/"
                                             ).content.decode()
    browser.post(f"/manage/phone-changes/{own.pk}/approve/")
    own.refresh_from_db()
    assert own.status == Status.ON_HOLD and not own.approved_early
    assert User.objects.get(pk=acme_admin.pk).phone != NEW_NUMBER


def test_an_admin_rejects_and_the_person_is_told(acme_admin, tech, change):
    browser = signed_in(acme_admin, password=PASSWORD)
    browser.post(f"/manage/phone-changes/{change.pk}/reject/")
    change.refresh_from_db()
    assert change.status == Status.REJECTED
    assert mail.outbox[-1].to == [tech.email]


def test_an_admin_resets_a_persons_second_factor(acme_admin, tech):
    backup_codes.generate(tech)
    person_browser = signed_in(tech)
    browser = signed_in(acme_admin, password=PASSWORD)
    assert "Reset second factor" in browser.get(
        f"/manage/people/{tech.pk}/reset-second-factor/").content.decode()
    browser.post(f"/manage/people/{tech.pk}/reset-second-factor/")
    assert not backup_codes.has_codes(tech)
    assert person_browser.get("/security/").status_code == 302  # signed out
    assert "reset" in mail.outbox[-1].subject and mail.outbox[-1].to == [tech.email]
    event = AuditEvent.objects.get(tag="account:two_factor:reset")
    assert (event.actor, event.subject) == (acme_admin, tech)


def test_the_reset_page_says_what_every_method_loses_and_what_the_person_does_next(
    acme_admin, tech
):
    page = signed_in(acme_admin, password=PASSWORD).get(
        f"/manage/people/{tech.pk}/reset-second-factor/").content.decode()

    removes = page.split('id="reset-removes">')[1].split("</ul>")[0]
    for words in ("Their security keys and passkeys", "The phone apps that approve push requests",
                  "phones with the Partner Portal app", "Their authenticator app",
                  "Their backup codes", "Emailed codes",  # the tests' own method says it too
                  "Browsers they chose to remember", "they are signed out everywhere"):
        assert words in removes
    assert f"What {tech} does next" in page
    assert "new backup codes" in page and "They are told by email." in page


def test_a_reset_needs_the_password_and_the_same_firm(acme_admin, globex_admin, tech):
    backup_codes.generate(tech)
    response = signed_in(acme_admin).post(f"/manage/people/{tech.pk}/reset-second-factor/")
    assert response.status_code == 400 and "Enter your password." in response.content.decode()
    other = signed_in(globex_admin, password=PASSWORD)
    assert other.post(f"/manage/people/{tech.pk}/reset-second-factor/").status_code == 404
    assert backup_codes.has_codes(tech)


def test_an_admin_cannot_reset_their_own_second_factor_by_posting(acme_admin):
    backup_codes.generate(acme_admin)
    browser = signed_in(acme_admin, password=PASSWORD)
    response = browser.post(f"/manage/people/{acme_admin.pk}/reset-second-factor/")
    assert response.status_code == 403
    assert backup_codes.has_codes(acme_admin)
    assert not AuditEvent.objects.filter(tag="account:two_factor:reset").exists()


def test_a_persons_edit_page_offers_the_reset_but_not_on_your_own(acme_admin, tech):
    browser = signed_in(acme_admin, password=PASSWORD)
    theirs = browser.get(f"/manage/employees/{tech.pk}/").content.decode()
    assert f"/manage/people/{tech.pk}/reset-second-factor/" in theirs
    own = browser.get(f"/manage/employees/{acme_admin.pk}/").content.decode()
    assert "reset-second-factor" not in own


def test_manage_clients_lists_end_users_requests(acme_admin, demo_world, sms_outbox):
    end_user = demo_world["user@contoso.example"]
    registration.register_phone(end_user)
    change = held_request(end_user, sms_outbox)
    page = signed_in(acme_admin).get("/manage/clients/").content.decode()
    assert f"/manage/phone-changes/{change.pk}/approve/" in page
    assert "Casey Contoso" in page


def test_an_admin_removes_one_push_device_without_a_full_reset(acme_admin, tech):
    from twofactor.models import PhoneDevice

    backup_codes.generate(tech)
    browser = signed_in(acme_admin)
    edit = browser.get(f"/manage/employees/{tech.pk}/").content.decode()
    device = PhoneDevice.objects.get(user=tech)
    url = f"/manage/people/{tech.pk}/factors/push/{device.pk}/remove/"
    assert url in edit

    refused = browser.post(url, {"reauth-password": "wrong"})
    assert refused.status_code == 400 and PhoneDevice.objects.filter(pk=device.pk).exists()

    mail.outbox.clear()
    done = browser.post(url, {"reauth-password": PASSWORD})

    assert done.status_code == 302
    assert not PhoneDevice.objects.filter(pk=device.pk).exists()
    assert backup_codes.has_codes(tech)  # not a reset
    event = AuditEvent.objects.get(tag="account:two_factor:factor_removed")
    assert event.actor == acme_admin and event.subject == tech
    assert [m.to for m in mail.outbox] == [[tech.email]]
    assert "removed one way you sign in" in mail.outbox[0].body


def test_another_firms_admin_cannot_remove_a_factor(globex_admin, tech):
    from twofactor.models import PhoneDevice

    device = PhoneDevice.objects.get(user=tech)
    browser = signed_in(globex_admin, password=PASSWORD)
    url = f"/manage/people/{tech.pk}/factors/push/{device.pk}/remove/"

    assert browser.post(url).status_code == 404
    assert PhoneDevice.objects.filter(pk=device.pk).exists()
