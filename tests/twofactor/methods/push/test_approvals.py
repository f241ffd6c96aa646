"""OneTouch requests: bound to their attempt, answered once, never approved after a deny
or after expiry, one pending per attempt, and limited against push fatigue."""

from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from tests.signing_in import current_attempt, enter_password, latest_approval
from twofactor.methods.push import approvals
from twofactor.methods.push.answers import accept_approval
from twofactor.models import ApprovalRequest
from twofactor.providers.base import ApprovalStatus

APPROVED, DENIED, EXPIRED = ApprovalStatus.APPROVED, ApprovalStatus.DENIED, ApprovalStatus.EXPIRED


def answer(approval, status):
    return approvals.record_answer(approval.provider_ref, status, provider="local")


def check_status(client):
    return client.post("/login/verify/", {"action": "check"})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_approval_is_recorded_once(pending):
    approval = latest_approval(pending)

    assert answer(approval, APPROVED)
    assert not answer(approval, APPROVED)
    assert AuditEvent.objects.filter(tag="account:two_factor:push_approved").count() == 1


def test_an_approval_signs_in_once(pending):
    cookie = pending.cookies["sessionid"].value
    answer(latest_approval(pending), APPROVED)
    assert check_status(pending)["Location"] == "/"

    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = check_status(replay)

    assert response["Location"] == "/login/"
    assert not signed_in(replay)


def test_an_approval_counts_only_for_its_own_attempt(client, demo_world):
    victim = Client()
    enter_password(victim)
    enter_password(client)  # the attacker has the password too: their own attempt
    answer(latest_approval(victim), APPROVED)

    check_status(client)

    assert not signed_in(client)
    assert check_status(victim)["Location"] == "/"


def test_an_approval_of_another_attempt_is_refused_by_the_check(pending):
    other = Client()
    enter_password(other, "admin@acme.example")
    foreign = latest_approval(other)
    assert answer(foreign, APPROVED)
    foreign.refresh_from_db()  # as approved as it gets: only the attempt it belongs to differs

    result = accept_approval(current_attempt(pending), foreign)

    assert not result.accepted
    assert not current_attempt(pending).completed_at


def test_a_denied_request_can_never_be_approved(pending):
    approval = latest_approval(pending)
    assert answer(approval, DENIED)

    assert not answer(approval, APPROVED)
    check_status(pending)

    approval.refresh_from_db()
    assert approval.status == "denied"
    assert not signed_in(pending)


def test_an_expired_request_can_never_be_approved(pending, time_travel, settings):
    approval = latest_approval(pending)
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)

    assert not answer(approval, APPROVED)
    check_status(pending)

    assert not signed_in(pending)
    approval.refresh_from_db()
    assert approval.status == "expired"
    assert AuditEvent.objects.filter(tag="account:two_factor:push_expired").exists()


def test_the_expiry_follows_the_setting(client, demo_world, settings, time_travel):
    settings.ONETOUCH_EXPIRY_SECONDS = 5
    enter_password(client)
    approval = latest_approval(client)
    time_travel(6)

    assert approvals.status_of(approval) is EXPIRED
    assert not answer(approval, APPROVED)


def test_a_deny_is_recorded_and_the_person_is_emailed(pending):
    answer(latest_approval(pending), DENIED)

    assert AuditEvent.objects.filter(tag="account:two_factor:push_denied").count() == 1
    (notice,) = mail.outbox
    assert notice.to == ["tech@acme.example"]
    assert "denied" in notice.subject
    assert "127.0.0.1" in notice.body and "UTC" in notice.body
    assert "someone knows your password" in notice.body


def test_one_pending_request_per_attempt(pending, time_travel, settings):
    first = latest_approval(pending)
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)
    pending.post("/login/verify/push/")
    pending.post("/login/verify/push/")  # the second is pending: no third request

    attempt = current_attempt(pending)
    assert attempt.approvals.filter(status="pending").count() == 1
    assert attempt.approvals.count() == 2
    first.refresh_from_db()
    assert first.status == "expired"


def test_push_requests_are_limited_per_person(client, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (2, 600)}
    enter_password(client)
    enter_password(client)

    response = enter_password(client)

    assert response["Location"] == "/login/verify/"
    page = client.get("/login/verify/").content.decode()
    assert "Too many requests to your phone lately, so none was sent" in page
    assert "We sent" not in page and 'role="status"' not in page  # says only what happened
    assert ">Send a request to your phone</button>" in page
    assert AuditEvent.objects.filter(tag="account:two_factor:push_throttled").count() == 1


def test_a_new_push_when_limited_is_refused_with_429(client, demo_world, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"push.user": (1, 3600)}
    enter_password(client)
    ApprovalRequest.objects.update(expires_at=timezone.now())

    response = client.post("/login/verify/push/")

    assert response.status_code == 429
    assert "ask again in" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_an_unknown_or_other_providers_request_changes_nothing(pending):
    approval = latest_approval(pending)

    assert not approvals.record_answer("no-such-request", APPROVED, provider="local")
    assert not approvals.record_answer(approval.provider_ref, APPROVED, provider="authy")
    assert not approvals.record_answer(approval.provider_ref, ApprovalStatus.PENDING,
                                       provider="local")
    approval.refresh_from_db()
    assert approval.status == "pending"
