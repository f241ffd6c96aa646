"""The admin rules as plain functions, without a request: no firm is left without an
active admin, and an edit built on an old view of a person is refused."""

import threading

import pytest
from django.db import connection

from accounts.models import User
from manage import demo, people
from tests.conftest import PASSWORD
from tests.signing_in import another_admin


def as_profile(person: User, **changes) -> people.Profile:
    data = {
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "role": person.role,
        **changes,
    }
    return people.Profile(**data)


def test_two_admins_cannot_both_step_down(globex_admin):
    second = another_admin(globex_admin.firm, "second@globex.example")

    people.save_profile(
        globex_admin.pk,
        as_profile(globex_admin, role=User.Role.TECH),
        people.version_of(globex_admin),
        actor=globex_admin,
    )
    with pytest.raises(people.NotAllowed, match="last active admin"):
        people.save_profile(
            second.pk,
            as_profile(second, role=User.Role.TECH),
            people.version_of(second),
            actor=second,
        )
    with pytest.raises(people.NotAllowed):
        people.set_active(second.pk, False, actor=second)
    assert (
        User.objects.filter(firm=globex_admin.firm, role=User.Role.ADMIN, is_active=True).count()
        == 1
    )


def test_an_edit_from_an_old_version_is_refused(globex_tech, globex_admin):
    old = people.version_of(globex_tech)
    people.set_active(globex_tech.pk, False, actor=globex_admin)

    with pytest.raises(people.StaleEdit) as stale:
        people.save_profile(
            globex_tech.pk, as_profile(globex_tech, full_name="X"), old, actor=globex_admin
        )
    assert stale.value.current.is_active is False
    assert User.objects.get(pk=globex_tech.pk).full_name == "Glen Globex"


def test_without_phone_lists_only_active_people_missing_a_number(demo_world):
    acme = demo_world["admin@acme.example"].firm

    assert [p.email for p in people.without_phone(people.employees(acme))] == [
        "nophone@acme.example"
    ]
    User.objects.filter(email="nophone@acme.example").update(is_active=False)
    assert not people.without_phone(people.employees(acme)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_the_same_moment_leave_one_admin(monkeypatch):
    """Both pass their own row lock together; the firm row lock lets only one through."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a no-op on SQLite, where writes are serialised anyway")
    demo.seed(PASSWORD)
    first = User.objects.get(email="admin@globex.example")
    second = another_admin(first.firm, "second@globex.example")
    both_locked = threading.Barrier(2, timeout=10)
    check = people._ensure_another_admin

    def in_step(person):
        both_locked.wait()  # each holds their own row; now both ask at once
        check(person)

    monkeypatch.setattr(people, "_ensure_another_admin", in_step)
    outcomes = []

    def step_down(admin):
        try:
            people.save_profile(
                admin.pk,
                as_profile(admin, role=User.Role.TECH),
                people.version_of(admin),
                actor=admin,
            )
            outcomes.append("stepped down")
        except people.NotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "stepped down"]
    assert User.objects.filter(firm=first.firm, role=User.Role.ADMIN, is_active=True).count() == 1
