"""sync_provider registers every phone with the configured provider, idempotently."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from twofactor.models import PhoneDevice


def sync(*args: str) -> str:
    out = io.StringIO()
    call_command("sync_provider", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_every_phone_is_registered_once(authy, authy_emulator, demo_world):
    with_phone = [u for u in demo_world.values() if u.phone]
    first = sync()
    assert f"{len(with_phone)} registered, 0 already registered, 0 failed" in first
    assert f"[1/{len(with_phone)}]" in first
    assert len(authy_emulator.users) == len(with_phone)
    assert PhoneDevice.objects.filter(provider="authy").count() == len(with_phone)
    again = sync()
    assert f"0 registered, {len(with_phone)} already registered, 0 failed" in again
    assert len(authy_emulator.users) == len(with_phone)


def test_dry_run_changes_nothing(authy, authy_emulator, demo_world):
    assert "Dry run, nothing changed" in sync("--dry-run")
    assert authy_emulator.users == {}
    assert not PhoneDevice.objects.exists()


def test_a_provider_failure_is_reported_and_leaves_nothing_half_written(
    authy, authy_emulator, demo_world
):
    authy_emulator.faults.status_5xx = 503
    with pytest.raises(CommandError, match=r"0 registered, 0 already registered, \d+ failed"):
        sync()
    assert not PhoneDevice.objects.exists()


def test_switching_provider_registers_again_with_the_new_one(
    authy, authy_settings, authy_emulator, twilio_emulator, demo_world
):
    sync()
    assert set(PhoneDevice.objects.values_list("provider", flat=True)) == {"authy"}
    authy_settings.TWOFACTOR_PROVIDER = "twilio_verify"
    authy_settings.TWILIO_ACCOUNT_SID = twilio_emulator.account_sid
    authy_settings.TWILIO_AUTH_TOKEN = twilio_emulator.auth_token
    authy_settings.TWILIO_VERIFY_SERVICE_SID = twilio_emulator.service_sid
    authy_settings.TWILIO_VERIFY_BASE_URL = twilio_emulator.base_url
    count = PhoneDevice.objects.count()
    assert f"{count} registered, 0 already registered" in sync()
    assert set(PhoneDevice.objects.values_list("provider", flat=True)) == {"twilio_verify"}
    assert len(twilio_emulator.entities) == count
