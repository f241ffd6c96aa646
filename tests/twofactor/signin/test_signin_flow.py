"""The whole second step as a person meets it: password, then OneTouch or an SMS token."""

import pytest
from django.core import mail

from accounts import audit
from accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.signing_in import enter_password, latest_approval, request_token, type_token
from twofactor.methods.push import approvals
from twofactor.models import PhoneDevice
from twofactor.providers.base import ApprovalStatus


def test_the_password_alone_does_not_sign_in_a_person_whose_firm_requires_2fa(client, demo_world):
    response = enter_password(client)

    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/")["Location"] == "/login/verify/"


def test_entering_the_password_sends_the_onetouch_request_at_once(client, demo_world):
    enter_password(client)

    approval = latest_approval(client)
    assert approval.status == "pending"
    assert approval.user.email == "tech@acme.example"
    assert AuditEvent.objects.filter(tag="account:two_factor:push_sent").count() == 1


def test_the_challenge_page_has_the_labels_of_the_contract(pending):
    body = pending.get("/login/verify/").content.decode()

    assert '<label for="id_token">Token or Security Key</label>' in body
    assert ">Sign In</button>" in body
    assert ">Send SMS token</button>" in body
    assert ">Check status</button>" in body
    assert 'role="status"' in body and "pending" in body
    assert "I don't have access to my phone</a>" in body
    assert "<script" in body and "challenge.js" in body


def test_an_sms_token_typed_into_the_field_signs_in(pending, sms_outbox):
    token = request_token(pending, sms_outbox)

    response = type_token(pending, token)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert pending.session["_auth_user_id"]
    assert pending.session["otp_device_id"].startswith("twofactor.phonedevice/")
    assert pending.get("/dashboard/").status_code == 200


def test_the_sms_goes_only_to_the_number_on_file(pending, sms_outbox):
    pending.post("/login/verify/sms/", {"phone": "+15555550199", "to": "+15555550199"})

    assert [m.to for m in sms_outbox] == ["+12015550102"]


def test_an_approved_onetouch_request_signs_in_with_check_status(pending):
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED, provider="local")

    response = pending.post("/login/verify/", {"action": "check"})

    assert response.status_code == 302
    assert pending.get("/dashboard/").status_code == 200


def test_an_approved_push_is_recorded_as_passed_by_push_not_as_a_token(pending):
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED, provider="local")

    pending.post("/login/verify/", {"action": "check"})

    passed = AuditEvent.objects.get(tag="account:two_factor:accepted")
    assert passed.data == {"method": "push"}
    assert audit.describe(passed.tag, passed.data) == (
        "Passed the second step by approving on the phone"
    )
    assert not AuditEvent.objects.filter(tag="account:two_factor:token_accepted").exists()


def test_check_status_while_pending_keeps_the_person_on_the_challenge(pending):
    response = pending.post("/login/verify/", {"action": "check"})

    assert response.status_code == 200
    assert "Request pending: approve it on your phone" in response.content.decode()
    assert "_auth_user_id" not in pending.session


def test_a_denied_push_is_shown_and_the_same_attempt_goes_on_by_sms(pending, sms_outbox):
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.DENIED, provider="local")

    body = pending.get("/login/verify/").content.decode()
    assert "You denied the request on your phone" in body
    assert '<form method="post" action="/login/verify/push/" id="push-again">' in body
    assert "Partner Portal: a sign-in request was denied" in [m.subject for m in mail.outbox]

    assert type_token(pending, request_token(pending, sms_outbox)).status_code == 302
    assert pending.get("/dashboard/").status_code == 200


def test_after_a_deny_a_new_push_may_be_sent_within_the_push_limit(pending, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (2, 600)}  # one sent at the password step
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.DENIED, provider="local")

    assert pending.post("/login/verify/push/").status_code == 302
    second = latest_approval(pending)
    assert second.pk != approval.pk and second.status == "pending"
    approvals.record_answer(second.provider_ref, ApprovalStatus.DENIED, provider="local")

    response = pending.post("/login/verify/push/")
    assert response.status_code == 429 and "Too many requests to your phone" in (
        response.content.decode())
    assert latest_approval(pending).pk == second.pk


def test_an_expired_push_offers_a_new_one_which_can_be_approved(pending, settings, time_travel):
    first = latest_approval(pending)
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)

    body = pending.get("/login/verify/").content.decode()
    assert "The request expired" in body
    first.refresh_from_db()
    assert first.status == "expired"

    assert pending.post("/login/verify/push/").status_code == 302
    second = latest_approval(pending)
    assert second.pk != first.pk and second.status == "pending"
    approvals.record_answer(second.provider_ref, ApprovalStatus.APPROVED, provider="local")
    assert pending.post("/login/verify/", {"action": "check"}).status_code == 302
    assert pending.get("/dashboard/").status_code == 200


def test_a_person_with_no_way_and_no_window_is_told_to_ask_their_administrator_by_name(
    client, demo_world
):
    assert enter_password(client, "nophone@acme.example")["Location"] == "/login/set-up/"
    response = client.get("/login/set-up/")

    body = response.content.decode()
    assert response.status_code == 403
    assert "No set-up window is open for you." in body
    assert "Avery Acme" in body and "admin@acme.example" in body
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302
    assert AuditEvent.objects.filter(tag="account:enrolment:refused").exists()


def test_an_end_user_of_a_client_with_2fa_on_needs_the_second_step(client, demo_world):
    assert enter_password(client, "user@contoso.example")["Location"] == "/login/verify/"
    assert enter_password(client, "user@fabrikam.example")["Location"] == "/"


def test_a_phone_is_registered_with_the_provider_when_first_needed(client, demo_world):
    assert not PhoneDevice.objects.exists()

    enter_password(client)

    device = PhoneDevice.objects.get(user__email="tech@acme.example")
    assert device.number == "+12015550102" and device.provider == "local"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example", "https://evil.example/x", "javascript:alert(1)",
     "dashboard", "x"],  # bare words: redirect() would look them up as view names
)
def test_next_to_another_host_is_dropped_after_the_second_factor(
    client, demo_world, sms_outbox, target
):
    enter_password(client, next=target)

    response = type_token(client, request_token(client, sms_outbox))

    assert response["Location"] == "/"


def test_next_on_this_host_is_honoured_after_the_second_factor(client, demo_world, sms_outbox):
    enter_password(client, next="/security/")

    response = type_token(client, request_token(client, sms_outbox))

    assert response["Location"] == "/security/"


def test_the_steps_are_audited_without_the_token(pending, sms_outbox):
    token = request_token(pending, sms_outbox)
    type_token(pending, "000000" if token != "000000" else "111111")
    type_token(pending, token)

    tags = list(AuditEvent.objects.order_by("id").values_list("tag", flat=True))
    for tag in [
        "account:login:password_accepted",
        "account:two_factor:push_sent",
        "account:two_factor:sms_sent",
        "account:two_factor:token_rejected",
        "account:two_factor:accepted",
        "account:login:signed_in",
    ]:
        assert tag in tags
    for event in AuditEvent.objects.all():
        assert token not in str(event.data)
    signed_in = AuditEvent.objects.get(tag="account:login:signed_in")
    assert signed_in.subject.email == "tech@acme.example"
    assert signed_in.firm.name == "Acme IT"
    assert signed_in.ip_address == "127.0.0.1"
    assert signed_in.data == {"method": "sms"}


def test_a_globex_person_still_signs_in_with_the_password_alone(client, demo_world):
    response = client.post("/login/", {"email": "tech@globex.example", "password": PASSWORD})

    assert response["Location"] == "/"
    assert client.get("/dashboard/").status_code == 200
