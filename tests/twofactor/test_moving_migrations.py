"""Treat every install as live: the methods' records moved to their own apps with their
tables (state only), so an install's keys, codes and apps are all there afterwards, and
a backup code made before the move still signs in once."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("twofactor", "0001_initial"),
    ("backup_codes", None),
    ("security_key", None),
    ("totp", None),
    ("email_codes", None),
]


def migrate(targets, state_at):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(state_at).apps


@pytest.mark.django_db(transaction=True)
def test_an_install_from_before_the_move_keeps_its_keys_codes_and_apps():
    from django.db.migrations.loader import MigrationLoader

    latest = MigrationLoader(connection).graph.leaf_nodes()
    old = migrate(BEFORE, [("twofactor", "0001_initial")])
    User = old.get_model("accounts", "User")
    Firm = old.get_model("accounts", "Firm")
    firm = Firm.objects.create(name="Old Firm")
    person = User.objects.create(email="old@example.com", full_name="Old", firm=firm)
    old.get_model("twofactor", "SecurityKey").objects.create(
        user=person, name="Blue", credential_id=b"id", public_key=b"pk"
    )
    old.get_model("twofactor", "BackupCode").objects.create(user=person, digest="d" * 64)
    old.get_model("twofactor", "AuthenticatorApp").objects.create(
        user=person, name="App", encrypted_secret="x"
    )
    old.get_model("twofactor", "RememberedBrowser").objects.create(
        user=person, token_hash="t" * 64, session_hash="s", expires_at="2030-01-01T00:00Z"
    )

    new = migrate(latest, latest)

    assert new.get_model("security_key", "SecurityKey").objects.get(user=person.pk).confirmed
    assert new.get_model("backup_codes", "BackupCode").objects.filter(user=person.pk).count() == 1
    assert new.get_model("backup_codes", "BackupCodeSheet").objects.filter(user=person.pk).exists()
    assert new.get_model("totp", "AuthenticatorApp").objects.filter(user=person.pk).exists()
    browser = new.get_model("twofactor", "RememberedBrowser").objects.get(user=person.pk)
    assert browser.name == "Remembered browser" and browser.confirmed
