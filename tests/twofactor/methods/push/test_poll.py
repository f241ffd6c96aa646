"""The status poll: read-only JSON about the session's own attempt, from one lookup,
without calling the provider on every poll."""

import html
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.signing_in import enter_password, latest_approval
from twofactor.methods.push import approvals
from twofactor.models import ApprovalRequest
from twofactor.providers.base import ApprovalStatus, ErrorKind
from twofactor.providers.local import LocalProvider

STATUS = "/login/verify/status/"


def test_the_poll_reports_pending_then_approved(pending):
    approval = latest_approval(pending)

    first = pending.get(STATUS).json()
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED, provider="local")
    second = pending.get(STATUS).json()

    assert first["status"] == "pending" and not first["final"]
    assert second["status"] == "approved" and second["final"]
    assert "_auth_user_id" not in pending.session  # polling never signs in by itself


def test_the_poll_says_expired_after_the_expiry(pending, settings, time_travel):
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)

    data = pending.get(STATUS).json()

    assert data["status"] == "expired" and "expired" in data["message"]


def test_the_poll_is_read_only_and_not_cached(pending):
    response = pending.get(STATUS)

    assert "no-store" in response["Cache-Control"]
    assert pending.post(STATUS).status_code == 405


def test_the_poll_answers_from_one_lookup(pending):
    pending.get(STATUS)  # the session row is cached by nothing: count it in both runs

    with CaptureQueriesContext(connection) as queries:
        pending.get(STATUS)

    portal_queries = [q for q in queries if "django_session" not in q["sql"]]
    assert len(portal_queries) == 1
    assert "twofactor_approvalrequest" in portal_queries[0]["sql"]


def test_the_local_provider_waits_for_its_answers_and_is_not_polled():
    assert LocalProvider.polled_for_answers is False


@pytest.mark.parametrize("signed", [False, True], ids=["long way", "page's own signed poll"])
def test_a_provider_not_polled_for_answers_is_never_called_by_the_poll(
    fake_provider, pending, signed
):
    fake_provider.set(polled_for_answers=False)
    url = signed_poll_url(pending) if signed else STATUS

    for _ in range(10):
        assert pending.get(url).json()["status"] == "pending"

    assert fake_provider.asked_count("approval_status") == 0


@pytest.mark.parametrize("signed", [False, True], ids=["long way", "page's own signed poll"])
def test_a_remote_provider_is_asked_at_most_every_few_seconds(fake_provider, pending, signed):
    url = signed_poll_url(pending) if signed else STATUS
    fake_provider.approval_answer = ApprovalStatus.PENDING

    for _ in range(10):
        assert pending.get(url).json()["status"] == "pending"

    assert fake_provider.polls == [latest_approval(pending).provider_ref]


def test_a_remote_providers_answer_is_recorded_once_found(fake_provider, pending):
    fake_provider.approval_answer = ApprovalStatus.APPROVED

    assert pending.get(STATUS).json()["status"] == "approved"

    assert ApprovalRequest.objects.get().status == "approved"


def test_a_failing_remote_provider_leaves_the_request_pending(fake_provider, pending):
    fake_provider.fail("approval_status", ErrorKind.TIMEOUT)

    response = pending.get(STATUS)

    assert fake_provider.asked_count("approval_status") == 1
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert ApprovalRequest.objects.get().status == "pending"


def test_without_an_attempt_the_poll_reveals_nothing(client, demo_world):
    other = Client()
    enter_password(other)

    response = client.get(STATUS, {"request": str(latest_approval(other).pk)})

    assert response.status_code == 404
    assert response.json() == {"status": "ended"}


def test_the_poll_of_another_attempt_reveals_nothing(pending):
    other = Client()
    enter_password(other, "admin@acme.example")
    foreign = latest_approval(other)
    approvals.record_answer(foreign.provider_ref, ApprovalStatus.APPROVED, provider="local")

    for asked in (str(foreign.pk), str(uuid.uuid4()), "../../sms", "x" * 5000):
        response = pending.get(STATUS, {"request": asked})
        assert response.status_code == 404
        assert "approved" not in response.content.decode()


def test_an_ended_attempt_polls_as_ended(pending, time_travel):
    time_travel(601)

    assert pending.get(STATUS).status_code == 404


# The challenge page's own poll URL is signed for its session cookie and answered from the
# cache (twofactor/methods/push/poll.py): the hottest request of a sign-in reads no session
# and no row.


def signed_poll_url(client) -> str:
    page = client.get("/login/verify/").content.decode()
    return html.unescape(re.search(r'data-status-url="([^"]+)"', page).group(1))


def test_the_pages_own_poll_reads_neither_the_session_nor_the_approval_rows(pending):
    url = signed_poll_url(pending)

    with CaptureQueriesContext(connection) as queries:
        data = pending.get(url).json()

    assert data["status"] == "pending" and data["request"] == str(latest_approval(pending).pk)
    assert not [q for q in queries if "django_session" in q["sql"] or "twofactor_" in q["sql"]]


def test_an_answer_shows_at_once_on_the_pages_own_poll(pending):
    url = signed_poll_url(pending)
    approval = latest_approval(pending)

    approvals.record_answer(approval.provider_ref, ApprovalStatus.DENIED, provider="local")
    data = pending.get(url).json()

    assert data["status"] == "denied" and data["final"]


def test_the_pages_own_poll_says_expired_after_the_expiry(pending, settings, time_travel):
    url = signed_poll_url(pending)
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)

    assert pending.get(url).json()["status"] == "expired"


def test_a_signed_poll_url_tells_nothing_to_another_session(pending):
    url = signed_poll_url(pending)
    approval = latest_approval(pending)
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED, provider="local")
    attacker = Client()
    enter_password(attacker, "admin@acme.example")

    for thief in (attacker, Client()):
        response = thief.get(url)
        assert response.status_code == 404
        assert "approved" not in response.content.decode()


def test_a_tampered_signature_goes_the_long_way_to_the_same_answer(pending):
    url = signed_poll_url(pending)
    tampered = url[:-4] + ("0000" if not url.endswith("0000") else "1111")

    assert pending.get(tampered).json()["status"] == "pending"


def test_an_old_poll_url_ends_once_a_new_request_replaces_it(pending, settings, time_travel):
    old_url = signed_poll_url(pending)
    time_travel(settings.ONETOUCH_EXPIRY_SECONDS + 1)
    pending.get("/login/verify/")  # the page records the expiry and offers a new request
    assert pending.post("/login/verify/push/").status_code == 302

    assert pending.get(old_url).status_code == 404
    assert pending.get(signed_poll_url(pending)).json()["status"] == "pending"


def test_the_pages_own_poll_keeps_the_security_headers_and_sets_no_cookie(pending):
    response = pending.get(signed_poll_url(pending))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
