"""Backup codes: ten one-time codes, at least 64 bits, stored as a keyed HMAC, single use
even under 20 parallel uses, and the person is told when one is used."""

import math
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from tests.concurrency import needs_postgresql, race
from tests.signing_in import current_attempt, enter_password
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.backup_codes.codes import looks_like_backup_code
from twofactor.methods.backup_codes.models import BackupCode
from twofactor.models import FactorLock, SignInAttempt
from twofactor.providers.base import ErrorKind
from twofactor.signin import lockout, verification


def use_backup_code(person, code) -> int | None:
    """Answer a new sign-in of ``person`` with ``code`` through the one verification path:
    the codes left if it signed in, else None."""
    now = timezone.now()
    attempt = SignInAttempt.objects.create(
        user=person, expires_at=now + timedelta(minutes=10),
        session_hash=person.get_session_auth_hash(),
    )
    accepted = verification.verify_token(attempt, code).accepted
    return backup_codes.remaining(person) if accepted else None


@pytest.fixture
def tech(demo_world):
    return demo_world["tech@acme.example"]


def test_a_set_is_ten_distinct_grouped_codes_of_at_least_64_bits(tech):
    codes = backup_codes.generate(tech)
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert looks_like_backup_code(code)
    bits = backup_codes.CODE_LENGTH * math.log2(len(set(backup_codes.ALPHABET)))
    assert bits >= 64


def test_the_alphabet_has_no_look_alike_characters():
    assert not set("01OI") & set(backup_codes.ALPHABET)


def test_only_a_keyed_digest_is_stored(tech):
    codes = backup_codes.generate(tech)
    stored = list(BackupCode.objects.filter(user=tech).values_list("digest", flat=True))
    assert len(stored) == 10
    for code in codes:
        plain = backup_codes.normalize(code)
        assert all(plain not in digest and code not in digest for digest in stored)


def test_a_code_signs_in_once_and_the_person_is_told_how_many_remain(tech):
    code = backup_codes.generate(tech)[3]
    mail.outbox.clear()
    assert use_backup_code(tech, code) == 9
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [tech.email]
    assert "9 backup codes left" in mail.outbox[0].body
    assert AuditEvent.objects.filter(tag="account:two_factor:backup_code_used").exists()


def test_a_used_code_fails(tech):
    code = backup_codes.generate(tech)[0]
    assert use_backup_code(tech, code) == 9
    assert use_backup_code(tech, code) is None
    assert backup_codes.remaining(tech) == 9


def test_codes_are_read_however_they_are_typed(tech):
    code = backup_codes.generate(tech)[0]
    assert use_backup_code(tech, "  " + code.replace("-", " ").lower()) == 9


def test_regenerating_revokes_the_old_set(tech):
    old = backup_codes.generate(tech)
    new = backup_codes.generate(tech)
    assert use_backup_code(tech, old[0]) is None
    assert use_backup_code(tech, new[0]) == 9


def test_another_persons_code_does_not_work(tech, acme_admin):
    code = backup_codes.generate(acme_admin)[0]
    assert use_backup_code(tech, code) is None
    assert backup_codes.remaining(acme_admin) == 10


@pytest.mark.parametrize(
    "typed",
    ["../sms", "123456", "123456/ID#", "٣" * 16, "A" * 10_000, "", "ABCD-EFGH-JKMN-PQR0",
     ["ABCD-EFGH-JKMN-PQRS"], None],
)
def test_anything_not_shaped_like_a_code_is_refused_without_a_query(tech, typed,
                                                                  django_assert_num_queries):
    assert not looks_like_backup_code(typed)
    with django_assert_num_queries(0):
        assert backup_codes.spend(tech, typed) is None


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_uses_of_one_code_succeed_once():
    from accounts.models import User
    from manage import demo

    demo.seed(demo.DEFAULT_PASSWORD)
    tech = User.objects.get(email="tech@acme.example")
    code = backup_codes.generate(tech)[0]
    results = race(lambda: use_backup_code(tech, code), 20)
    assert sorted(results, key=lambda r: r is None) == [9] + [None] * 19


# In the "Token or Security Key" field ------------------------------------------------------


def sign_in_with(client, code):
    return client.post("/login/verify/", {"token": code})


@pytest.fixture
def codes(demo_world):
    return backup_codes.generate(demo_world["tech@acme.example"])


def test_a_backup_code_in_the_token_field_signs_in_and_the_person_is_told(pending, codes):
    mail.outbox.clear()
    response = sign_in_with(pending, codes[0].lower())
    assert response.status_code == 302 and response["Location"] == "/"
    assert pending.get("/dashboard/").status_code == 200
    assert "9 backup codes left" in mail.outbox[-1].body
    assert SignInAttempt.objects.get().method == "backup_code"


def test_a_used_backup_code_fails_in_the_token_field(client, demo_world, codes):
    enter_password(client)
    assert sign_in_with(client, codes[0])["Location"] == "/"
    client.post("/logout/")
    enter_password(client)
    response = sign_in_with(client, codes[0])
    assert response.status_code == 400
    assert "used already" in response.content.decode()
    assert client.get("/dashboard/")["Location"].startswith("/login/verify/")


def test_a_backup_code_works_when_the_provider_is_down(fake_provider, pending, codes):
    fake_provider.fail("check_token", ErrorKind.UNAVAILABLE)

    assert sign_in_with(pending, codes[1])["Location"] == "/"
    assert fake_provider.asked_count("check_token") == 0


def test_a_locked_person_is_refused_even_with_a_right_backup_code(pending, demo_world, codes):
    tech = demo_world["tech@acme.example"]
    for _ in range(10):
        lockout.record_failure(tech)
    assert sign_in_with(pending, codes[0]).status_code == 429
    assert backup_codes.remaining(tech) == 10


def test_wrong_backup_codes_count_towards_the_lock(pending, demo_world, codes):
    sign_in_with(pending, "AAAA-BBBB-CCCC-DDDD")
    assert FactorLock.objects.get(user=demo_world["tech@acme.example"]).failure_count == 1


def test_a_code_is_not_spent_when_the_sign_in_had_already_ended(pending, demo_world, codes):
    attempt = current_attempt(pending)
    SignInAttempt.objects.filter(pk=attempt.pk).update(completed_at=timezone.now())
    assert verification.verify_token(attempt, codes[0]).outcome == "ended"
    assert backup_codes.remaining(demo_world["tech@acme.example"]) == 10


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_sign_ins_with_one_backup_code_sign_in_once():
    from accounts.models import User
    from manage import demo

    demo.seed(demo.DEFAULT_PASSWORD)
    code = backup_codes.generate(User.objects.get(email="tech@acme.example"))[0]
    clients = []
    for _ in range(20):  # twenty browsers, each past the password: twenty attempts
        client = Client()
        enter_password(client)
        clients.append((client,))
    outcomes = race(lambda client: sign_in_with(client, code).get("Location", "refused"), clients)
    assert outcomes.count("/") == 1 and len(outcomes) == 20
    assert SignInAttempt.objects.filter(completed_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(tag="account:login:signed_in").count() == 1
    assert BackupCode.objects.filter(used_at__isnull=False).count() == 1


def test_a_backup_code_signs_in_for_good_when_the_provider_never_registered_the_phone(
    fake_provider, client, codes
):
    """The provider was down at the password step, so the phone was never registered: the
    backup code must still give a verified session, not one the middleware steps back."""
    fake_provider.fail("register", ErrorKind.UNAVAILABLE)

    assert enter_password(client)["Location"] == "/login/verify/"
    assert sign_in_with(client, codes[0])["Location"] == "/"
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/security/").status_code == 200
    assert fake_provider.asked_count("register") >= 1 and fake_provider.registered == []
