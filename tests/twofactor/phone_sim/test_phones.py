"""The simulated phone at /dev/phone/: texts newest first, pending OneTouch requests with
what the Authy app shows, three numbers to match, Deny and "This wasn't me"; 404 unless
SIMULATED_PHONE is on."""

import re

import pytest

from tests.signing_in import latest_approval, send_sms
from twofactor.models import SmsToken
from twofactor.phone_sim.models import SimulatedText
from twofactor.providers import local_tokens as tokens

PHONE = "/dev/phone/"


def answer_url(approval, answer):
    return f"{PHONE}requests/{approval.pk}/{answer}/"


def section_of(body: str, email: str) -> str:
    return re.search(rf"<h2 [^>]*>{re.escape(email)}</h2>(.*?)</section>", body, re.S).group(1)


def test_each_phone_shows_its_owner_number_and_pending_request(pending):
    body = pending.get(PHONE).content.decode()

    mine = section_of(body, "tech@acme.example")
    assert "+12015550102" in mine
    assert "Sign in to Partner Portal" in mine and "Terry Acme" in mine and "Acme IT" in mine
    assert "127.0.0.1" in mine and "UTC" in mine
    assert ">Deny</button>" in mine and ">This wasn't me</button>" in mine
    assert ">Approve</button>" not in mine  # the numbers replace it
    assert "No pending requests" in section_of(body, "admin@acme.example")


def test_texts_are_listed_newest_first(pending, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"sms.user": (5, 30), "sms.number": (5, 30)}
    send_sms(pending)
    send_sms(pending)

    mine = section_of(pending.get(PHONE).content.decode(), "tech@acme.example")
    texted = re.findall(r"token is (\d+)", mine)

    assert len(texted) == 2
    newest = SmsToken.objects.get(superseded=False)
    assert newest.digest == tokens.digest(newest.attempt_id, texted[0])


def test_picking_the_right_number_on_the_phone_approves_the_request(pending):
    approval = latest_approval(pending)

    response = pending.post(answer_url(approval, approval.match_number))

    assert response["Location"] == PHONE
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert "No pending requests" in section_of(pending.get(PHONE).content.decode(),
                                                "tech@acme.example")


def test_deny_on_the_phone_answers_the_request(pending):
    approval = latest_approval(pending)

    pending.post(answer_url(approval, "deny"))

    approval.refresh_from_db()
    assert approval.status == "denied"


def test_a_second_answer_changes_nothing(pending):
    approval = latest_approval(pending)
    pending.post(answer_url(approval, "deny"))

    response = pending.post(answer_url(approval, approval.match_number), follow=True)

    approval.refresh_from_db()
    assert approval.status == "denied"
    assert "already answered, closed or has expired" in response.content.decode()


def test_answers_need_a_post_and_a_known_answer(pending):
    approval = latest_approval(pending)

    assert pending.get(answer_url(approval, approval.match_number)).status_code == 405
    assert pending.post(answer_url(approval, "maybe")).status_code == 404
    assert pending.post(answer_url(approval, "approve")).status_code == 404
    assert pending.post(answer_url(approval, "123")).status_code == 404


@pytest.mark.parametrize(
    "url", [PHONE, f"{PHONE}requests/00000000-0000-0000-0000-000000000000/deny/"]
)
def test_the_simulated_phone_is_404_when_switched_off(pending, settings, url):
    settings.SIMULATED_PHONE = False

    assert pending.get(url).status_code in (404, 405)
    assert pending.post(url).status_code == 404


def test_texts_are_not_kept_when_the_simulation_is_off(pending, settings, sms_outbox):
    settings.SIMULATED_PHONE = False
    send_sms(pending)

    assert len(sms_outbox) == 1
    assert not SimulatedText.objects.exists()
