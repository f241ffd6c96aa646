"""Self-service phone-number changes: proven by a code to the new number, confirmed by an
email link, held PHONE_CHANGE_HOLD_SECONDS from that confirmation, then applied once."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.http import int_to_base36

from accounts.models import AuditEvent, User
from tests.concurrency import needs_postgresql, race
from tests.twofactor.recovery.lost_phones import NEW_NUMBER, code_texted_to, emailed_link
from twofactor import registration
from twofactor.conf import conf
from twofactor.models import PhoneChangeRequest
from twofactor.providers.base import ErrorKind
from twofactor.recovery import email_links, phone_changes
from twofactor.recovery.email_links import Purpose
from twofactor.recovery.phone_changes import RecoveryError

HOLD = 72 * 3600
Status = PhoneChangeRequest.Status


@pytest.fixture
def tech(demo_world, settings, sms_outbox):
    settings.PHONE_CHANGE_HOLD_SECONDS = HOLD
    person = demo_world["tech@acme.example"]
    registration.register_phone(person)
    return person


def token_from(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def proven(person: User, outbox) -> PhoneChangeRequest:
    change = phone_changes.start(person, NEW_NUMBER)
    phone_changes.prove(change, code_texted_to(outbox, NEW_NUMBER))
    change.refresh_from_db()
    return change


def on_hold(person: User, outbox) -> PhoneChangeRequest:
    change = proven(person, outbox)
    assert phone_changes.confirm(change, token_from(emailed_link("confirm")))
    change.refresh_from_db()
    return change


def test_the_whole_change_applies_after_the_hold_and_only_then(tech, sms_outbox):
    old = tech.phone
    change = phone_changes.start(tech, NEW_NUMBER)
    assert [text.to for text in sms_outbox] == [NEW_NUMBER]
    phone_changes.prove(change, code_texted_to(sms_outbox, NEW_NUMBER))
    assert "confirm" in mail.outbox[-1].subject
    before = timezone.now()
    assert phone_changes.confirm(change, token_from(emailed_link("confirm")))
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD
    assert before + timedelta(seconds=HOLD) <= change.due_at

    # At once: the email address and the old number are told, with a cancel link.
    assert "/cancel/" in mail.outbox[-1].body and mail.outbox[-1].to == [tech.email]
    assert any(text.to == old and "/cancel/" in text.body for text in sms_outbox)

    stamp = tech.session_stamp
    assert phone_changes.apply_due(now=change.due_at - timedelta(seconds=1)) == 0
    assert User.objects.get(pk=tech.pk).phone == old
    assert phone_changes.apply_due(now=change.due_at) == 1
    tech.refresh_from_db()
    assert tech.phone == NEW_NUMBER
    assert registration.phone_device(tech).number == NEW_NUMBER
    assert tech.session_stamp != stamp
    assert "changed" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(subject=tech, tag="account:phone_change:completed").exists()


def test_nothing_is_texted_to_the_old_number_before_the_email_confirmation(tech, sms_outbox):
    proven(tech, sms_outbox)
    assert all(text.to == NEW_NUMBER for text in sms_outbox)


def test_a_second_request_while_one_is_open_is_refused(tech, sms_outbox):
    phone_changes.start(tech, NEW_NUMBER)
    with pytest.raises(RecoveryError) as refused:
        phone_changes.start(tech, "+12015550198")
    assert refused.value.code == "already_open"
    assert PhoneChangeRequest.objects.filter(user=tech).count() == 1


def test_the_number_on_file_is_not_a_change(tech):
    with pytest.raises(RecoveryError) as refused:
        phone_changes.start(tech, tech.phone)
    assert refused.value.code == "same_number"


def test_a_wrong_or_foreign_code_does_not_prove_the_number(tech, sms_outbox):
    change = phone_changes.start(tech, NEW_NUMBER)
    right = code_texted_to(sms_outbox, NEW_NUMBER)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for typed in [wrong, "٠١٢٣٤٥", right + "0", "../sms", ""]:
        with pytest.raises(RecoveryError):
            phone_changes.prove(change, typed)
    change.refresh_from_db()
    assert change.status == Status.PROVING


def test_too_many_wrong_codes_lock_the_request(tech, sms_outbox, settings):
    settings.PHONE_CHANGE_MAX_WRONG_CODES = 3
    change = phone_changes.start(tech, NEW_NUMBER)
    right = code_texted_to(sms_outbox, NEW_NUMBER)
    for _ in range(3):
        with pytest.raises(RecoveryError):
            phone_changes.prove(change, "000000" if right != "000000" else "111111")
        change.refresh_from_db()
    with pytest.raises(RecoveryError) as refused:
        phone_changes.prove(change, right)
    assert refused.value.code == "locked"


def test_an_expired_code_does_not_prove_the_number(tech, sms_outbox):
    change = phone_changes.start(tech, NEW_NUMBER)
    PhoneChangeRequest.objects.filter(pk=change.pk).update(
        code_expires_at=timezone.now() - timedelta(seconds=1)
    )
    change.refresh_from_db()
    with pytest.raises(RecoveryError):
        phone_changes.prove(change, code_texted_to(sms_outbox, NEW_NUMBER))


def test_a_new_code_replaces_the_old_one_after_a_cooldown(tech, sms_outbox, settings):
    settings.PHONE_CHANGE_CODE_RESEND_SECONDS = 0
    change = phone_changes.start(tech, NEW_NUMBER)
    first = code_texted_to(sms_outbox, NEW_NUMBER)
    phone_changes.send_code(change)
    second = code_texted_to(sms_outbox, NEW_NUMBER)
    if first != second:
        with pytest.raises(RecoveryError):
            phone_changes.prove(change, first)
    change.refresh_from_db()
    phone_changes.prove(change, second)


def test_resending_too_soon_is_refused_with_when_to_retry(tech):
    change = phone_changes.start(tech, NEW_NUMBER)
    with pytest.raises(RecoveryError, match=r"Try again in \d+ seconds") as refused:
        phone_changes.send_code(change)
    assert refused.value.code == "cooldown"


def test_a_confirm_link_works_once(tech, sms_outbox):
    change = proven(tech, sms_outbox)
    token = token_from(emailed_link("confirm"))
    assert phone_changes.confirm(change, token)
    change.refresh_from_db()
    due = change.due_at
    assert not phone_changes.confirm(change, token)
    change.refresh_from_db()
    assert change.due_at == due


def test_a_confirm_link_expires(tech, sms_outbox):
    change = proven(tech, sms_outbox)
    token = token_from(emailed_link("confirm"))
    later = datetime.now() + timedelta(seconds=conf.PHONE_CHANGE_CONFIRM_SECONDS + 1)
    with mock.patch.object(email_links.ConfirmLinkGenerator, "_now", return_value=later):
        assert not phone_changes.confirm(change, token)
    change.refresh_from_db()
    assert change.status == Status.CONFIRMING and change.due_at is None


def test_a_confirm_link_made_before_the_number_was_proven_does_not_work(tech, sms_outbox):
    change = phone_changes.start(tech, NEW_NUMBER)
    early = email_links.make_token(change, Purpose.CONFIRM)
    assert not phone_changes.confirm(change, early)
    phone_changes.prove(change, code_texted_to(sms_outbox, NEW_NUMBER))
    change.refresh_from_db()
    assert not phone_changes.confirm(change, early)


def test_the_hold_cannot_be_shortened_by_replaying_or_editing_the_link(tech, sms_outbox):
    change = on_hold(tech, sms_outbox)
    due = change.due_at
    token = token_from(emailed_link("confirm"))
    digest = token.split("-", 1)[1]
    forged_earlier = int_to_base36(0) + "-" + digest
    for attempt in [token, forged_earlier, token.upper(), token + "0"]:
        assert not phone_changes.confirm(change, attempt)
    # A link for another purpose or another request does not confirm this one either.
    assert not phone_changes.confirm(change, token_from(emailed_link("cancel")))
    change.refresh_from_db()
    assert change.due_at == due and change.status == Status.ON_HOLD
    assert phone_changes.apply_due(now=due - timedelta(seconds=1)) == 0


def test_the_cancel_link_works_for_the_whole_hold_however_long(tech, sms_outbox, settings):
    settings.PHONE_CHANGE_HOLD_SECONDS = 10 * 24 * 3600
    change = on_hold(tech, sms_outbox)
    cancel = token_from(emailed_link("cancel"))
    days_later = datetime.now() + timedelta(days=9)
    with mock.patch.object(email_links.CancelLinkGenerator, "_now", return_value=days_later):
        assert email_links.check_token(change, Purpose.CANCEL, cancel)


def test_links_survive_a_rotated_secret_key(tech, sms_outbox, settings):
    change = on_hold(tech, sms_outbox)
    cancel = token_from(emailed_link("cancel"))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert email_links.check_token(change, Purpose.CANCEL, cancel)
    settings.SECRET_KEY_FALLBACKS = []
    assert not email_links.check_token(change, Purpose.CANCEL, cancel)


def test_a_new_request_after_cancelling_starts_a_new_hold(tech, sms_outbox):
    first = on_hold(tech, sms_outbox)
    assert phone_changes.cancel(first)
    second = on_hold(tech, sms_outbox)
    assert second.pk != first.pk and second.due_at > first.due_at


def test_cancelling_from_the_email_at_any_step_changes_nothing(tech, sms_outbox):
    old = tech.phone
    change = on_hold(tech, sms_outbox)
    cancel = token_from(emailed_link("cancel"))
    assert email_links.check_token(change, Purpose.CANCEL, cancel)
    assert phone_changes.cancel(change)
    assert phone_changes.apply_due(now=change.due_at + timedelta(days=1)) == 0
    tech.refresh_from_db()
    assert tech.phone == old
    change.refresh_from_db()
    assert not email_links.check_token(change, Purpose.CANCEL, cancel)


def test_running_the_command_twice_applies_a_change_once(tech, sms_outbox, settings):
    change = on_hold(tech, sms_outbox)
    PhoneChangeRequest.objects.filter(pk=change.pk).update(due_at=timezone.now())
    mail.outbox.clear()
    call_command("process_phone_changes")
    call_command("process_phone_changes")
    assert [m.subject for m in mail.outbox].count("Partner Portal: your phone number changed") == 1
    assert AuditEvent.objects.filter(tag="account:phone_change:completed").count() == 1


def test_a_provider_failure_leaves_the_change_waiting_for_the_next_run(
    fake_provider, tech, sms_outbox
):
    change = on_hold(tech, sms_outbox)
    fake_provider.fail("register", ErrorKind.UNAVAILABLE)
    assert phone_changes.apply_due(now=change.due_at) == 0
    assert fake_provider.asked_count("register") == 2  # the fixture's, then the failed one
    tech.refresh_from_db()
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD and tech.phone != NEW_NUMBER
    fake_provider.succeed("register")
    assert phone_changes.apply_due(now=change.due_at) == 1
    assert fake_provider.registered[-1].phone == NEW_NUMBER


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_apply_a_change_once(settings, sms_outbox):
    from manage import demo

    demo.seed(demo.DEFAULT_PASSWORD)
    settings.PHONE_CHANGE_HOLD_SECONDS = 0
    person = User.objects.get(email="tech@acme.example")
    change = on_hold(person, sms_outbox)
    later = change.due_at + timedelta(seconds=1)
    assert sum(race(lambda: phone_changes.apply_due(now=later), 8)) == 1
    assert AuditEvent.objects.filter(tag="account:phone_change:completed").count() == 1


# Admins ------------------------------------------------------------------------------


def test_another_admin_of_the_firm_approves_early_and_it_applies_at_once(
    tech, acme_admin, sms_outbox
):
    change = on_hold(tech, sms_outbox)
    assert phone_changes.approve_early(change, acme_admin)
    tech.refresh_from_db()
    assert tech.phone == NEW_NUMBER
    assert AuditEvent.objects.filter(
        tag="account:phone_change:approved_early", actor=acme_admin, subject=tech
    ).exists()


def test_an_admin_cannot_approve_their_own_request(acme_admin, sms_outbox, settings):
    change = on_hold(acme_admin, sms_outbox)
    with pytest.raises(RecoveryError) as refused:
        phone_changes.approve_early(change, acme_admin)
    assert refused.value.code == "own"
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD and not change.approved_early


def test_another_firms_admin_cannot_approve(tech, globex_admin, sms_outbox):
    change = on_hold(tech, sms_outbox)
    with pytest.raises(RecoveryError):
        phone_changes.approve_early(change, globex_admin)
    change.refresh_from_db()
    assert change.status == Status.ON_HOLD


def test_a_request_not_yet_confirmed_cannot_be_approved(tech, acme_admin, sms_outbox):
    change = proven(tech, sms_outbox)
    with pytest.raises(RecoveryError):
        phone_changes.approve_early(change, acme_admin)


def test_a_rejected_request_never_applies(tech, acme_admin, sms_outbox):
    change = on_hold(tech, sms_outbox)
    assert phone_changes.reject(change, acme_admin)
    assert phone_changes.apply_due(now=change.due_at) == 0
    assert "refused" in mail.outbox[-1].subject


def test_an_admin_reset_re_registers_the_phone_revokes_codes_and_ends_sessions(
    fake_provider, tech, acme_admin
):
    from twofactor.methods.backup_codes import codes as backup_codes

    backup_codes.generate(tech)
    before = registration.phone_device(tech)
    stamp = tech.session_stamp
    phone_changes.reset_second_factor(tech, acme_admin)
    assert fake_provider.unregistered == [before.provider_ref]
    after = registration.phone_device(tech)
    assert after.pk != before.pk and after.number == tech.phone
    assert not backup_codes.has_codes(tech)
    tech.refresh_from_db()
    assert tech.session_stamp != stamp
    assert mail.outbox[-1].to == [tech.email] and "reset" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(tag="account:two_factor:reset", actor=acme_admin).exists()


def test_the_firms_other_admins_are_told_when_the_hold_starts(tech, acme_admin, sms_outbox):
    on_hold(tech, sms_outbox)
    to_admin = [m for m in mail.outbox if m.to == [acme_admin.email]]
    assert len(to_admin) == 1 and "/manage/employees/" in to_admin[0].body


def test_only_a_few_requests_a_day(tech, settings):
    settings.PHONE_CHANGE_MAX_PER_DAY = 2
    for _ in range(2):
        phone_changes.cancel(phone_changes.start(tech, NEW_NUMBER))
    with pytest.raises(RecoveryError) as refused:
        phone_changes.start(tech, NEW_NUMBER)
    assert refused.value.code == "too_many_requests"


def test_a_number_an_admin_set_during_the_hold_is_not_overwritten(tech, sms_outbox):
    change = on_hold(tech, sms_outbox)
    User.objects.filter(pk=tech.pk).update(phone="+12015550177")
    assert phone_changes.apply_due(now=change.due_at) == 0
    tech.refresh_from_db()
    change.refresh_from_db()
    assert tech.phone == "+12015550177" and change.status == Status.CANCELLED


def test_with_authy_the_new_number_is_registered_and_the_lost_one_removed(
    authy_settings, authy_emulator, demo_world, sms_outbox
):
    person = demo_world["tech@acme.example"]
    lost = registration.register_phone(person)
    change = on_hold(person, sms_outbox)
    assert phone_changes.apply_due(now=change.due_at) == 1
    device = registration.phone_device(person)
    assert device.provider == "authy" and device.provider_ref != lost.provider_ref
    registered = {u["cellphone"] for u in authy_emulator.users.values()}
    assert registered == {NEW_NUMBER[2:]}


def test_with_authy_a_reset_removes_the_registration_and_makes_a_new_one(
    authy_settings, authy_emulator, demo_world, acme_admin
):
    person = demo_world["tech@acme.example"]
    before = registration.register_phone(person).provider_ref
    phone_changes.reset_second_factor(person, acme_admin)
    after = registration.phone_device(person).provider_ref
    assert after != before and list(authy_emulator.users) == [int(after)]
