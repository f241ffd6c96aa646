"""Backup codes: ten one-time codes, at least 64 bits, stored as a keyed HMAC, single use
even under 20 parallel uses, and the person is told when one is used."""

import math
import threading

import pytest
from django.core import mail
from django.db import connection

from accounts.models import AuditEvent
from twofactor import backup_codes
from twofactor.backup_codes import looks_like_backup_code, use_backup_code
from twofactor.models import BackupCode


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
        assert use_backup_code(tech, typed) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_uses_of_one_code_succeed_once():
    from accounts import demo
    from accounts.models import User

    demo.seed(demo.DEFAULT_PASSWORD)
    tech = User.objects.get(email="tech@acme.example")
    code = backup_codes.generate(tech)[0]
    results, start = [], threading.Barrier(20)

    def spend():
        start.wait()
        try:
            results.append(use_backup_code(tech, code))
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=lambda r: r is None) == [9] + [None] * 19
