"""The sign-in journeys through the real client libraries talking HTTP to the emulators.

For each remote provider: OneTouch / push approved (by signed callback and by poll), denied
and expired; an SMS token; and every provider failure at each step giving a clear message,
an audit event and never a 500, within the deadline plus one second.
"""

import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.audit import Tag
from accounts.models import AuditEvent
from emulators.base import Emulator
from tests.signing_in import ACME_TECH, enter_password, latest_approval, send_sms, type_token
from tests.twofactor.providers.faults import FAULTS
from tests.twofactor.providers.fixtures import DEADLINE, SLACK
from twofactor.methods.push.tags import PushTag
from twofactor.providers.base import ErrorKind
from twofactor.providers.twilio_verify import identity_for

PUBLIC = "https://portal.example"


@dataclass
class Remote:
    """One remote provider as a journey sees it: its emulator and how its phone answers."""

    name: str
    emulator: Any
    callback_path: str

    def answer(self, ref: str, approve: bool) -> None:
        (self.emulator.approve if approve else self.emulator.deny)(ref)

    def signed_callback(self, ref: str) -> dict[str, Any]:
        """One delivery of the provider's signed callback for ``ref``, as post() arguments."""
        url = PUBLIC + self.callback_path
        if self.name == "authy":
            body, headers = self.emulator.signed_callback(url, ref)
            return {"data": body, "content_type": "application/json", "headers": headers}
        params, headers = self.emulator.signed_webhook(url, ref)
        return {"data": params, "headers": headers}

    def deliver(self, delivery: dict[str, Any]):
        return Client().post(self.callback_path, **delivery)  # the provider has no session

    def post_callback(self, ref: str):
        return self.deliver(self.signed_callback(ref))

    def force_status(self, ref: str, status: str) -> None:
        """The provider's own record says ``status`` (however it got there)."""
        table = self.emulator.approvals if self.name == "authy" else self.emulator.challenges
        table[ref]["status"] = status

    def expire(self, ref: str) -> None:
        if self.name == "authy":
            self.emulator.approvals[ref]["created"] -= 10_000
        else:
            self.emulator.challenges[ref]["expires"] -= 10_000

    def texted_token(self, person) -> str:
        if self.name == "authy":
            from twofactor.registration import phone_device

            return self.emulator.last_sms_token(phone_device(person).provider_ref)
        return self.emulator.last_code(person.phone)


@pytest.fixture(params=["authy", "twilio_verify"])
def remote(request, demo_world) -> Remote:
    if request.param == "authy":
        request.getfixturevalue("authy")
        return Remote(
            "authy", request.getfixturevalue("authy_emulator"), "/twofactor/callbacks/authy/"
        )
    request.getfixturevalue("twilio")
    emulator = request.getfixturevalue("twilio_emulator")
    emulator.enroll_device(identity_for(demo_world[ACME_TECH]))  # the operator's app
    return Remote("twilio_verify", emulator, "/twofactor/callbacks/twilio/")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def poll(client) -> str:
    return client.get("/login/verify/status/").json()["status"]


def check_approval(client):
    return client.post("/login/verify/", {"action": "check"})


def test_push_approved_by_signed_callback_signs_in(client, remote):
    assert enter_password(client)["Location"] == "/login/verify/"
    approval = latest_approval(client)
    assert approval.provider == remote.name
    remote.answer(approval.provider_ref, approve=True)
    delivery = remote.signed_callback(approval.provider_ref)
    assert remote.deliver(delivery).status_code == 204
    assert remote.deliver(delivery).status_code == 409  # a replay
    assert poll(client) == "approved"
    assert check_approval(client).status_code == 302
    assert signed_in(client)


def test_push_approved_is_seen_by_polling_without_a_callback(client, remote):
    enter_password(client)
    remote.answer(latest_approval(client).provider_ref, approve=True)
    assert poll(client) == "approved"
    check_approval(client)
    assert signed_in(client)


def test_push_denied_does_not_sign_in_and_a_later_approval_changes_nothing(client, remote):
    enter_password(client)
    ref = latest_approval(client).provider_ref
    remote.answer(ref, approve=False)
    assert remote.post_callback(ref).status_code == 204
    assert poll(client) == "denied"
    remote.force_status(ref, "approved")
    remote.post_callback(ref)  # validly signed, says approved: a final answer stays final
    assert poll(client) == "denied"
    check_approval(client)
    assert not signed_in(client)
    assert latest_approval(client).status == "denied"


def test_push_expired_does_not_sign_in(client, remote):
    enter_password(client)
    remote.expire(latest_approval(client).provider_ref)
    assert poll(client) == "expired"
    check_approval(client)
    assert not signed_in(client)


def test_sms_token_signs_in(client, remote, demo_world):
    enter_password(client)
    assert send_sms(client).status_code == 302
    token = remote.texted_token(demo_world[ACME_TECH])
    assert type_token(client, token).status_code == 302
    assert signed_in(client)


def test_a_callback_for_an_attempt_that_already_ended_changes_nothing(client, remote, demo_world):
    enter_password(client)
    approval = latest_approval(client)
    send_sms(client)
    type_token(client, remote.texted_token(demo_world[ACME_TECH]))  # signed in by SMS
    assert signed_in(client)
    remote.answer(approval.provider_ref, approve=True)
    remote.post_callback(approval.provider_ref)
    approval.refresh_from_db()
    assert approval.status == "withdrawn"
    assert AuditEvent.objects.filter(tag=PushTag.PUSH_APPROVED).count() == 0


# -- faults -------------------------------------------------------------------------------


def switch_on(fault, emulator: Emulator) -> None:
    if fault.switch == "refuse":
        emulator.refuse()
    elif fault.switch == "error_json":
        emulator.faults.error_json = (400, 60200 if emulator.name == "twilio_verify" else "60027")
    else:
        setattr(emulator.faults, fault.switch, fault.value)


def failures_audited() -> int:
    return AuditEvent.objects.filter(tag=Tag.PROVIDER_FAILED).count()


@pytest.mark.parametrize("fault", FAULTS[:2], ids=[f.name for f in FAULTS[:2]])
def test_a_silent_provider_at_the_password_step_still_answers_in_time(client, remote, fault):
    switch_on(fault, remote.emulator)
    started = time.monotonic()
    response = enter_password(client)
    assert time.monotonic() - started < DEADLINE + SLACK
    assert response["Location"] == "/login/verify/"
    page = client.get("/login/verify/")
    assert page.status_code == 200
    assert "took too long" in page.content.decode()
    assert "Text messages go through the same service" in page.content.decode()
    assert failures_audited() == 1


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_every_provider_failure_on_send_sms_gives_a_clear_page(client, remote, fault):
    enter_password(client)
    switch_on(fault, remote.emulator)
    started = time.monotonic()
    response = send_sms(client)
    assert time.monotonic() - started < DEADLINE + SLACK
    assert response.status_code == 503
    text = response.content.decode()
    assert "verification service" in text
    if fault.kind is ErrorKind.REJECTED:  # the service is up: the other method may work
        assert "Approve the OneTouch request on your phone instead." in text
    else:  # the service is down: the other method is no way out
        assert "OneTouch requests to" in text
    assert "Token or Security Key" in text
    assert failures_audited() == 1


@pytest.mark.parametrize("fault", FAULTS[:3], ids=[f.name for f in FAULTS[:3]])
def test_a_failing_token_check_gives_a_clear_page(client, remote, fault):
    enter_password(client)
    switch_on(fault, remote.emulator)
    started = time.monotonic()
    response = type_token(client, "12345678")
    assert time.monotonic() - started < DEADLINE + SLACK
    assert response.status_code == 503
    assert "verification service" in response.content.decode()
    assert not signed_in(client)
    assert failures_audited() == 1
