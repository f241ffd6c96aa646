"""Number matching, always on: the challenge page shows a two-digit number; the phone offers
it among three; a wrong pick denies and counts toward the lock; the providers carry it."""

import re

from accounts.models import AuditEvent
from tests.signing_in import latest_approval
from tests.twofactor.phone_sim.test_phones import PHONE, answer_url, section_of
from twofactor.methods.push import approvals
from twofactor.models import FactorLock
from twofactor.providers.base import ApprovalDetails


def test_each_push_carries_a_two_digit_number_shown_beside_the_status(pending):
    approval = latest_approval(pending)
    page = pending.get("/login/verify/").content.decode()

    assert 10 <= approval.match_number <= 99
    number = re.search(r'id="push-number"[^>]*>.*?<strong class="number">(\d+)</strong>', page,
                       re.S)
    assert number and int(number.group(1)) == approval.match_number


def test_numbers_come_from_secrets_and_cover_the_two_digit_range():
    seen = {approvals.new_match_number() for _ in range(2000)}
    assert min(seen) == 10 and max(seen) == 99


def test_the_phone_offers_three_distinct_numbers_one_of_them_right(pending):
    approval = latest_approval(pending)
    mine = section_of(pending.get(PHONE).content.decode(), "tech@acme.example")

    offered = [int(n) for n in re.findall(rf"requests/{approval.pk}/(\d\d)/", mine)]
    assert len(offered) == 3 and len(set(offered)) == 3
    assert approval.match_number in offered
    assert all(10 <= n <= 99 for n in offered)


def test_a_wrong_pick_denies_the_request_and_counts_toward_the_lock(pending):
    approval = latest_approval(pending)
    wrong = 10 if approval.match_number != 10 else 11

    response = pending.post(answer_url(approval, wrong), follow=True)

    approval.refresh_from_db()
    assert approval.status == "denied"
    assert FactorLock.objects.get(user=approval.user).failure_count == 1
    assert AuditEvent.objects.filter(data__reason="wrong_number").exists()
    assert "not the number on the sign-in page" in response.content.decode()
    # The denied request cannot then be approved with the right number.
    pending.post(answer_url(approval, approval.match_number))
    approval.refresh_from_db()
    assert approval.status == "denied"
    assert pending.post("/login/verify/", {"action": "check"}).status_code == 200


def test_wrong_picks_lock_the_person_like_wrong_tokens(pending, settings):
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 1
    approval = latest_approval(pending)
    wrong = 10 if approval.match_number != 10 else 11

    pending.post(answer_url(approval, wrong))

    assert FactorLock.objects.get(user=approval.user).is_locked()


def test_the_right_pick_approves_and_the_page_signs_in(pending):
    approval = latest_approval(pending)
    pending.post(answer_url(approval, approval.match_number))

    assert pending.post("/login/verify/", {"action": "check"})["Location"] == "/"


def test_the_number_travels_in_the_details_and_hidden_details(demo_world):
    tech = demo_world["tech@acme.example"]
    from django.test import RequestFactory

    details = approvals.details_for(tech, RequestFactory().get("/"), 42)

    assert isinstance(details, ApprovalDetails)
    assert details.details["Number to match"] == "42"
    assert details.hidden_details == {"match_number": "42"}
