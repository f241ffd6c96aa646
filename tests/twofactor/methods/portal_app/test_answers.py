"""Answering a sign-in request in the app: the happy path, then every attack the issue
names (each fails if its check is removed)."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from tests.signing_in import enter_password, latest_approval
from tests.twofactor.methods.portal_app.conftest import paired_phone
from twofactor.methods.push.portal_app.models import AppPhone, Delivery
from twofactor.models import ApprovalRequest, FactorLock

Status = ApprovalRequest.Status


@pytest.fixture
def signing_in(phone):
    """Another browser past the password step for the phone's person: a push pending."""
    browser = Client()
    assert enter_password(browser)["Location"] == "/login/verify/"
    return browser


def check(browser):
    return browser.post("/login/verify/", {"action": "check"})


def test_approving_with_the_right_number_signs_the_browser_in(phone, signing_in):
    approval = latest_approval(signing_in)
    [listed] = phone.pending()
    assert listed["id"] == str(approval.pk)
    assert approval.match_number in listed["numbers"] and len(set(listed["numbers"])) == 3
    assert listed["firm"] == "Acme IT" and listed["browser"]
    assert phone.pending()[0]["numbers"] == listed["numbers"]  # the same on every reload

    response = phone.answer(listed, pick=approval.match_number)
    assert response.status_code == 200 and response.json()["result"] == "approved"
    assert check(signing_in)["Location"] == "/"
    device = AppPhone.objects.get()
    assert signing_in.session["otp_device_id"] == device.persistent_id
    assert not phone.pending()


def test_the_challenge_page_names_the_phone_the_request_went_to(phone, signing_in):
    page = signing_in.get("/login/verify/").content.decode()
    assert "the Partner Portal app on “Work phone”" in page


def test_a_wrong_number_denies_and_counts_toward_the_lock(phone, signing_in):
    approval = latest_approval(signing_in)
    [listed] = phone.pending()
    wrong = next(n for n in listed["numbers"] if n != approval.match_number)
    response = phone.answer(listed, pick=wrong)
    assert response.json()["result"] == "wrong_number"
    approval.refresh_from_db()
    assert approval.status == Status.DENIED
    assert FactorLock.objects.get(user=approval.user).failure_count == 1
    assert check(signing_in).get("Location") != "/"


def test_a_phone_paired_after_the_request_was_sent_does_not_get_it(desktop, signing_in):
    phone = paired_phone(desktop, "Second")  # after the push was sent: not delivered to it
    assert phone.pending() == []
    first = AppPhone.objects.get(name="Work phone")
    assert Delivery.objects.filter(phone=first).count() == 1


def test_deny(phone, signing_in):
    [listed] = phone.pending()
    assert phone.answer(listed, "deny").json()["result"] == "denied"
    assert latest_approval(signing_in).status == Status.DENIED


def test_this_wasnt_me_ends_the_sign_in_and_pauses_pushes(phone, signing_in):
    [listed] = phone.pending()
    assert phone.answer(listed, "not_me").json()["result"] == "reported"
    approval = latest_approval(signing_in)
    assert approval.status == Status.DENIED and approval.reported_at
    approval.user.refresh_from_db()
    assert approval.user.push_paused_until and approval.user.must_change_password
    assert AuditEvent.objects.filter(tag="account:two_factor:suspicious_sign_in_reported").exists()


def test_the_first_answer_wins_and_the_other_phone_reads_closed(desktop):
    one, two = paired_phone(desktop, "iPhone"), paired_phone(desktop, "iPad")
    browser = Client()
    enter_password(browser)
    approval = latest_approval(browser)
    [on_one], [on_two] = one.pending(), two.pending()
    assert on_one["id"] == on_two["id"] and on_one["nonce"] != on_two["nonce"]
    assert one.answer(on_one, pick=approval.match_number).status_code == 200
    late = two.answer(on_two, "deny")
    assert late.status_code == 409 and "already answered" in late.json()["error"]
    assert latest_approval(browser).status == Status.APPROVED
    assert two.pending() == []


# Attacks ------------------------------------------------------------------------------


def test_an_answer_signed_with_another_key_is_refused(phone, signing_in):
    [listed] = phone.pending()
    payload = phone.answer_payload(listed, pick=latest_approval(signing_in).match_number)
    forged = phone.sign(payload, key=ec.generate_private_key(ec.SECP256R1()))
    response = phone.post("/app/api/answer", forged)
    assert response.status_code == 403
    assert latest_approval(signing_in).status == Status.PENDING


def test_another_phones_key_cannot_answer_for_this_phone(desktop):
    mine, other = paired_phone(desktop, "Mine"), paired_phone(desktop, "Other")
    browser = Client()
    enter_password(browser)
    [listed] = mine.pending()
    payload = mine.answer_payload(listed, pick=latest_approval(browser).match_number)
    response = mine.post("/app/api/answer", other.sign(payload))  # names Mine, signed by Other
    assert response.status_code == 403
    assert latest_approval(browser).status == Status.PENDING


def test_a_replayed_answer_changes_nothing(phone, signing_in):
    [listed] = phone.pending()
    signed = phone.sign(phone.answer_payload(listed, "deny"))
    assert phone.post("/app/api/answer", signed).status_code == 200
    ApprovalRequest.objects.update(status=Status.PENDING)  # even were it pending again
    replay = phone.post("/app/api/answer", signed)
    assert replay.status_code == 409
    assert latest_approval(signing_in).status == Status.PENDING


def test_a_signature_over_another_request_action_or_purpose_does_not_carry_over(
    phone, signing_in
):
    [listed] = phone.pending()
    number = latest_approval(signing_in).match_number
    signed = phone.sign(phone.answer_payload(listed, "deny"))
    for changed in (
        phone.answer_payload(listed, pick=number),  # the action
        phone.answer_payload(listed, "deny", purpose="list"),  # the purpose
        phone.answer_payload(listed, "deny", request="00000000-0000-0000-0000-000000000000"),
    ):
        tampered = {"payload": phone.sign(changed)["payload"], "signature": signed["signature"]}
        assert phone.post("/app/api/answer", tampered).status_code == 403
    wrong_purpose = phone.sign(phone.answer_payload(listed, pick=number, purpose="list"))
    assert phone.post("/app/api/answer", wrong_purpose).status_code == 403
    assert latest_approval(signing_in).status == Status.PENDING


def test_a_changed_pick_breaks_the_signature(phone, signing_in):
    [listed] = phone.pending()
    approval = latest_approval(signing_in)
    wrong = next(n for n in listed["numbers"] if n != approval.match_number)
    signed = phone.sign(phone.answer_payload(listed, pick=wrong))
    tampered = {**signed, "payload": signed["payload"].replace(
        f'"pick":{wrong}', f'"pick":{approval.match_number}')}
    assert phone.post("/app/api/answer", tampered).status_code == 403
    assert latest_approval(signing_in).status == Status.PENDING


def test_a_payload_not_in_canonical_form_is_refused(phone, signing_in):
    [listed] = phone.pending()
    payload = phone.answer_payload(listed, "deny")
    loose = (f'{{"request": "{listed["id"]}", "action": "deny", "device": "{phone.device}", '
             f'"nonce": "{listed["nonce"]}", "pick": null, "purpose": "answer"}}')
    assert phone.post("/app/api/answer", phone.sign(loose)).status_code == 403
    assert phone.post("/app/api/answer", phone.sign(payload)).status_code == 200


def test_an_expired_request_cannot_be_approved(phone, signing_in, time_travel):
    [listed] = phone.pending()
    number = latest_approval(signing_in).match_number
    approval = latest_approval(signing_in)
    time_travel((approval.expires_at - timezone.now()).total_seconds() + 1)
    response = phone.answer(listed, pick=number)
    assert response.status_code == 409
    assert latest_approval(signing_in).status != Status.APPROVED


def test_a_removed_phones_answers_are_refused(phone, signing_in):
    [listed] = phone.pending()
    AppPhone.objects.all().delete()
    response = phone.answer(listed, pick=latest_approval(signing_in).match_number)
    assert response.status_code == 403 and response.json()["removed"] is True
    assert latest_approval(signing_in).status == Status.PENDING


def test_a_phone_not_yet_confirmed_cannot_answer(phone, signing_in):
    [listed] = phone.pending()
    AppPhone.objects.update(confirmed=False)
    response = phone.answer(listed, pick=latest_approval(signing_in).match_number)
    assert response.status_code == 403
    assert latest_approval(signing_in).status == Status.PENDING


def test_another_persons_request_cannot_be_answered(phone, signing_in, demo_world):
    """A nonce is bound to the phone and its person: a request of someone else's is never
    listed to this phone, and naming it with this phone's nonce closes nothing."""
    [listed] = phone.pending()
    other = Client()
    enter_password(other, "admin@acme.example")
    theirs = latest_approval(other)
    response = phone.answer({**listed, "id": str(theirs.pk)}, pick=theirs.match_number)
    assert response.status_code == 409
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING


def test_an_unsigned_or_stale_listing_shows_nothing(phone, signing_in):
    unsigned = phone.post("/app/api/requests",
                          {"payload": f'{{"device":"{phone.device}"}}', "signature": ""})
    assert unsigned.status_code == 403 and "requests" not in unsigned.json()
    stale = phone.sign({"challenge": "made-up", "device": phone.device, "purpose": "list"})
    assert phone.post("/app/api/requests", stale).status_code == 403
    fresh = phone.sign({"challenge": phone.challenge(), "device": phone.device,
                        "purpose": "list"})
    assert phone.post("/app/api/requests", fresh).status_code == 200
    again = phone.post("/app/api/requests", fresh)  # a challenge is used once
    assert again.status_code == 403 and "requests" not in again.json()


def test_a_phone_with_the_app_and_no_number_signs_in_with_it(desktop, demo_world):
    """The app needs no number on file: the request goes to the app alone."""
    phone = paired_phone(desktop)
    person = AppPhone.objects.get().user
    type(person).objects.filter(pk=person.pk).update(phone="")
    browser = Client()
    assert enter_password(browser)["Location"] == "/login/verify/"
    approval = latest_approval(browser)
    assert approval.provider == "app"
    [listed] = phone.pending()
    assert phone.answer(listed, pick=approval.match_number).status_code == 200
    assert check(browser)["Location"] == "/"
