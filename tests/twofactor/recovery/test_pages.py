"""The person's recovery pages and the email links, as a browser without JavaScript sees
them: reachable only after a correct password, act only on POST, give nothing away."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import AuditEvent
from tests.twofactor.recovery.lost_phones import (
    NEW_NUMBER,
    NEW_NUMBER_TYPED,
    code_texted_to,
    emailed_link,
    pending_client,
)
from twofactor.models import PhoneChangeRequest

Status = PhoneChangeRequest.Status


@pytest.fixture
def tech(demo_world, sms_outbox):
    return demo_world["tech@acme.example"]


@pytest.fixture
def browser(tech):
    return pending_client(tech)


def ask_and_prove(browser, outbox) -> PhoneChangeRequest:
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    browser.post("/login/recovery/code/", {"code": code_texted_to(outbox, NEW_NUMBER)})
    return PhoneChangeRequest.objects.get()


def test_without_a_correct_password_the_pages_send_you_to_sign_in(tech):
    anonymous = Client()
    for path in ["/login/recovery/", "/login/recovery/code/", "/login/recovery/resend/"]:
        response = anonymous.post(path, {"phone": NEW_NUMBER_TYPED, "email": tech.email})
        assert response.status_code == 302 and response["Location"] == "/login/"
    assert not PhoneChangeRequest.objects.exists() and not mail.outbox


def test_the_pages_never_ask_for_an_email_address(browser):
    page = browser.get("/login/recovery/").content.decode()
    assert 'type="email"' not in page and 'name="email"' not in page


def test_a_person_asks_proves_and_confirms_from_the_email(browser, sms_outbox, tech):
    page = browser.get("/login/recovery/")
    assert "I don't have access to my phone" in page.content.decode()
    assert browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED}).status_code == 302
    assert "Step 1 of 3" in browser.get("/login/recovery/").content.decode()
    browser.post("/login/recovery/code/", {"code": code_texted_to(sms_outbox, NEW_NUMBER)})
    assert "Step 2 of 3" in browser.get("/login/recovery/").content.decode()

    link = emailed_link("confirm", tech.email)
    elsewhere = Client()  # the email is opened in another browser
    assert "Confirm" in elsewhere.get(link).content.decode()
    assert PhoneChangeRequest.objects.get().status == Status.CONFIRMING  # GET changes nothing
    done = elsewhere.post(link)
    assert done.status_code == 200 and "Confirmed" in done.content.decode()
    assert PhoneChangeRequest.objects.get().status == Status.ON_HOLD
    assert "Step 3 of 3" in browser.get("/login/recovery/").content.decode()


def test_a_bad_number_comes_back_with_the_reason_and_what_was_typed(browser):
    response = browser.post("/login/recovery/", {"phone": "+1 201 555"})
    page = response.content.decode()
    assert response.status_code == 400 and "too short" in page and 'value="+1 201 555"' in page
    assert not PhoneChangeRequest.objects.exists()


def test_a_wrong_code_says_so_and_changes_nothing(browser, sms_outbox):
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    right = code_texted_to(sms_outbox, NEW_NUMBER)
    response = browser.post("/login/recovery/code/", {"code": "000000" if right != "000000"
                                                       else "111111"})
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert PhoneChangeRequest.objects.get().status == Status.PROVING


@pytest.mark.parametrize("junk", ["../sms", "123456/ID#", "٠١٢٣٤٥", "9" * 100_000])
def test_junk_codes_get_a_form_error_not_a_500(browser, junk):
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    response = browser.post("/login/recovery/code/", {"code": junk})
    assert response.status_code == 400


def test_a_second_request_while_one_is_open_is_refused(browser, sms_outbox):
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    response = browser.post("/login/recovery/", {"phone": "+12015550198"})
    assert response.status_code == 409 and "already have" in response.content.decode()
    assert PhoneChangeRequest.objects.get().new_phone == NEW_NUMBER


def test_sending_a_code_again_too_soon_is_429_with_when_to_retry(browser):
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    response = browser.post("/login/recovery/resend/")
    assert response.status_code == 429 and "Try again in" in response.content.decode()


def test_posting_a_due_date_or_another_number_changes_nothing(browser, sms_outbox):
    change = ask_and_prove(browser, sms_outbox)
    Client().post(emailed_link("confirm"))
    change.refresh_from_db()
    due = change.due_at
    browser.post("/login/recovery/", {"phone": "+12015550198", "due_at": "2000-01-01",
                                      "status": "completed"})
    browser.post("/login/recovery/code/", {"code": "123456", "due_at": "2000-01-01"})
    change.refresh_from_db()
    assert (change.due_at, change.new_phone, change.status) == (due, NEW_NUMBER, Status.ON_HOLD)


def test_a_used_confirm_link_is_refused_like_any_bad_link(browser, sms_outbox):
    ask_and_prove(browser, sms_outbox)
    link = emailed_link("confirm")
    assert Client().post(link).status_code == 200
    again = Client().post(link)
    unknown = Client().post(link.replace(str(PhoneChangeRequest.objects.get().pk),
                                         "00000000-0000-0000-0000-000000000000"))
    assert again.status_code == unknown.status_code == 404
    assert again.content == unknown.content
    assert AuditEvent.objects.filter(tag="account:phone_change:link_refused").count() == 2


def test_the_cancel_link_in_the_email_cancels(browser, sms_outbox, tech):
    ask_and_prove(browser, sms_outbox)
    Client().post(emailed_link("confirm"))
    cancel = emailed_link("cancel")
    assert "Cancel the change" in Client().get(cancel).content.decode()
    assert PhoneChangeRequest.objects.get().status == Status.ON_HOLD
    assert "Cancelled" in Client().post(cancel).content.decode()
    assert PhoneChangeRequest.objects.get().status == Status.CANCELLED
    assert Client().post(cancel).status_code == 404


def test_the_person_can_cancel_from_the_recovery_page(browser, sms_outbox):
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    browser.post("/login/recovery/cancel/")
    assert PhoneChangeRequest.objects.get().status == Status.CANCELLED


def test_too_many_requests_in_a_day_is_429(browser, settings):
    settings.PHONE_CHANGE_MAX_PER_DAY = 1
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    browser.post("/login/recovery/cancel/")
    response = browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})
    assert response.status_code == 429 and "Try again tomorrow" in response.content.decode()


def test_the_help_page_covers_every_lost_phone_case_for_the_provider(browser, settings):
    page = browser.get("/login/help/").content.decode()
    assert "reinstall the Partner Portal phone app" in page
    assert "Send SMS token</em> works" in page
    assert "the first answer counts" in page and "Add a device with this number" in page
    assert "backup codes" in page and 'href="/login/recovery/"' in page and "72 hours" in page
    assert "authy.com" not in page


def test_a_failed_text_says_so_and_the_request_offers_a_new_code(browser, settings):
    from unittest import mock

    from twofactor.providers.base import ErrorKind, ProviderError

    timeout = ProviderError(ErrorKind.TIMEOUT)
    # The code goes out through the SMS backend, not the provider: the backend is patched.
    with mock.patch("twofactor.recovery.phone_changes.send_sms", side_effect=timeout):
        response = browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED}, follow=True)
    page = response.content.decode()
    assert "could not text the new number" in page and "Send a new code" in page


def test_texts_to_new_numbers_count_against_the_portals_daily_budget(
    browser, demo_world, sms_outbox, settings
):
    """SMS pumping: a typed new number is texted, so it spends the same daily budget (and
    per-address cap) as sign-in texts; past it, 429 and nothing is sent."""
    settings.TWOFACTOR_RATE_LIMITS = {"sms.portal.day": (2, 24 * 3600)}
    assert browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED}).status_code == 302
    other = pending_client(demo_world["admin@acme.example"])
    assert other.post("/login/recovery/", {"phone": "+12015550188"}).status_code == 302
    sent = len(sms_outbox)

    third = pending_client(demo_world["user@contoso.example"])
    response = third.post("/login/recovery/", {"phone": "+12015550177"})

    assert response.status_code == 429 and "Too many text messages" in response.content.decode()
    assert len(sms_outbox) == sent
    assert AuditEvent.objects.filter(tag="account:two_factor:sms_throttled").exists()


def test_texts_to_new_numbers_count_against_the_per_address_cap(browser, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"sms.ip": (1, 3600)}
    browser.post("/login/recovery/", {"phone": NEW_NUMBER_TYPED})

    response = pending_client(demo_world["admin@acme.example"]).post(
        "/login/recovery/", {"phone": "+12015550188"})

    assert response.status_code == 429


def waiting_page(browser, tech, outbox) -> str:
    ask_and_prove(browser, outbox)
    Client().post(emailed_link("confirm", tech.email))
    return browser.get("/login/recovery/").content.decode()


def test_step_3_says_there_are_no_backup_codes_left_after_a_reset(browser, tech, sms_outbox):
    page = waiting_page(browser, tech, sms_outbox)

    assert "Step 3 of 3" in page
    assert "You have no backup codes left" in page
    assert "sign in with your old number or a backup code" not in page
    assert "you cannot sign in until the change applies" in page


def test_step_3_counts_the_backup_codes_the_person_still_has(browser, tech, sms_outbox):
    from twofactor.methods.backup_codes import codes

    codes.generate(tech)
    page = waiting_page(browser, tech, sms_outbox)

    assert f"You have {codes.remaining(tech)} unused backup codes" in page
    assert "you cannot sign in until the change applies" not in page
