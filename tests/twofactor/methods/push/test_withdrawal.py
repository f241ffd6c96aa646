"""A push is withdrawn when its sign-in finishes another way or is abandoned: the phone
shows it closed and approving it afterwards does nothing."""

from tests.signing_in import enter_password, latest_approval, request_token, type_token
from tests.twofactor.phone_sim.test_phones import PHONE, answer_url, section_of
from twofactor.methods.push import approvals


def test_signing_in_by_sms_withdraws_the_push(pending, sms_outbox):
    approval = latest_approval(pending)
    assert type_token(pending, request_token(pending, sms_outbox))["Location"] == "/"

    approval.refresh_from_db()
    assert approval.status == "withdrawn"
    mine = section_of(pending.get(PHONE).content.decode(), "tech@acme.example")
    assert "This request was closed: you signed in another way" in mine
    assert f"requests/{approval.pk}/{approval.match_number}/" not in mine


def test_approving_a_withdrawn_push_does_nothing(pending, sms_outbox):
    approval = latest_approval(pending)
    type_token(pending, request_token(pending, sms_outbox))

    response = pending.post(answer_url(approval, approval.match_number), follow=True)

    approval.refresh_from_db()
    assert approval.status == "withdrawn"
    assert "already answered, closed or has expired" in response.content.decode()


def test_starting_over_withdraws_the_first_attempts_push(pending):
    first = latest_approval(pending)
    enter_password(pending)  # the person starts over

    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert latest_approval(pending).status == "pending"


def test_an_expired_attempt_withdraws_its_push(pending, time_travel, settings):
    settings.ONETOUCH_EXPIRY_SECONDS = 3600  # the push outlives the attempt
    enter_password(pending)
    approval = latest_approval(pending)
    time_travel(settings.TWOFACTOR_ATTEMPT_SECONDS + 1)

    pending.get("/login/verify/")  # the page finds the attempt over

    approval.refresh_from_db()
    assert approval.status == "withdrawn"


def test_the_phone_closes_requests_of_attempts_that_ended_elsewhere(pending, time_travel,
                                                                    settings):
    settings.ONETOUCH_EXPIRY_SECONDS = 3600
    enter_password(pending)
    approval = latest_approval(pending)
    time_travel(settings.TWOFACTOR_ATTEMPT_SECONDS + 1)

    mine = section_of(pending.get(PHONE).content.decode(), "tech@acme.example")

    approval.refresh_from_db()
    assert approval.status == "withdrawn"
    assert "This request was closed" in mine


def test_a_provider_cannot_answer_withdrawn(pending):
    approval = latest_approval(pending)
    assert not approvals.record_answer(approval.provider_ref, "withdrawn",
                                       provider=approval.provider)
    approval.refresh_from_db()
    assert approval.status == "pending"
