"""A push's denial says which: Deny, a different number tapped, "This wasn't me" (the page's
poll learns each at once, the last one even after a Deny); after a Deny or a different
number a new push may be sent, within ``push.user`` and never while pushes are paused."""

import html
import re
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from tests.signing_in import latest_approval
from tests.twofactor.phone_sim.test_phones import answer_url
from twofactor.methods.push import report
from twofactor.models import ApprovalRequest

STATUS = "/login/verify/status/"


def signed_poll(client) -> dict:
    """The poll as the page's script asks it: its signed URL, answered from the cache."""
    page = client.get("/login/verify/").content.decode()
    url = html.unescape(re.search(r'data-status-url="([^"]+)"', page).group(1))
    return client.get(url).json()


def wrong_pick(approval) -> str:
    return str(10 if approval.match_number != 10 else 11)


def test_a_different_number_reads_as_such_on_the_page_and_in_the_poll(pending):
    approval = latest_approval(pending)
    url = html.unescape(re.search(
        r'data-status-url="([^"]+)"', pending.get("/login/verify/").content.decode()).group(1))

    pending.post(answer_url(approval, wrong_pick(approval)))

    polled = pending.get(url).json()  # the cache, written by the answer itself
    assert polled["status"] == "denied" and polled["denied_because"] == "wrong_number"
    assert polled["message"].startswith("You tapped a different number")
    assert pending.get(STATUS).json()["denied_because"] == "wrong_number"  # the long way
    page = pending.get("/login/verify/").content.decode()
    assert "You tapped a different number" in page and "We sent" not in page


def test_deny_reads_as_a_denial(pending):
    approval = latest_approval(pending)
    pending.post(answer_url(approval, "deny"))

    polled = pending.get(STATUS).json()

    assert polled["denied_because"] == ""
    assert polled["message"] == "You denied the request on your phone (request denied)."


def test_after_a_different_number_a_new_push_goes_out_at_once(pending):
    approval = latest_approval(pending)
    pending.post(answer_url(approval, wrong_pick(approval)))

    assert pending.post("/login/verify/push/")["Location"] == "/login/verify/"

    assert latest_approval(pending).status == "pending"
    assert ApprovalRequest.objects.filter(attempt_id=approval.attempt_id).count() == 2


def test_this_wasnt_me_is_learned_by_the_waiting_page_at_once(pending):
    approval = latest_approval(pending)
    url = html.unescape(re.search(
        r'data-status-url="([^"]+)"', pending.get("/login/verify/").content.decode()).group(1))

    pending.post(answer_url(approval, "not-me"))

    polled = pending.get(url).json()
    assert polled["status"] == "denied" and polled["denied_because"] == "reported"
    assert polled["message"].startswith("This sign-in was stopped")
    assert pending.post("/login/verify/push/")["Location"] == "/login/"  # the attempt is over


def test_this_wasnt_me_after_a_deny_still_stops_the_page(pending):
    approval = latest_approval(pending)
    url = html.unescape(re.search(
        r'data-status-url="([^"]+)"', pending.get("/login/verify/").content.decode()).group(1))
    pending.post(answer_url(approval, "deny"))
    assert pending.get(url).json()["denied_because"] == ""

    # The denial email's link, after the Deny: the request is no longer pending.
    approval.refresh_from_db()
    assert report.report(approval)

    assert pending.get(url).json()["denied_because"] == "reported"


def test_no_new_push_while_pushes_are_paused(pending):
    approval = latest_approval(pending)
    pending.post(answer_url(approval, "deny"))
    User.objects.filter(pk=approval.user_id).update(
        push_paused_until=timezone.now() + timedelta(minutes=30))

    response = pending.post("/login/verify/push/")

    assert response.status_code == 409
    assert "Push requests to your phone are paused until" in response.content.decode()
    assert latest_approval(pending).pk == approval.pk


def test_send_a_request_is_not_offered_while_the_push_limit_holds_and_says_why(pending):
    """After a Deny a new push is offered, unless ``push.user`` would refuse it: then the
    page says why and for how long instead of offering a button that answers 429."""
    approval = latest_approval(pending)
    pending.post(answer_url(approval, "deny"))
    page = pending.get("/login/verify/").content.decode()
    assert re.search(r'<form[^>]*id="push-again"(?![^>]*hidden)', page)
    assert "push-held-back" not in page

    from portal import limits

    for _ in range(5):
        try:
            limits.hit("push.user", approval.user_id)
        except limits.RateLimited:
            break
    page = pending.get("/login/verify/").content.decode()
    assert re.search(r'<form[^>]*id="push-again"[^>]*hidden', page)
    assert "no new one can be sent for" in page
