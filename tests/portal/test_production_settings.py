"""Production settings pass Django's deployment checks and send a content security policy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "kJ3v9-Qm2x_Lr8tN4pZ7wA1cE6yH0uB5dF9gS2jK4lM7nP3qR8tV6xY1zC5bD0e",
    "ALLOWED_HOSTS": "portal.example",
    "PUBLIC_BASE_URL": "https://portal.example",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "SMS_BACKEND": "twofactor.sms.twilio_messaging.SmsBackend",
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "f" * 32,
    "TWILIO_MESSAGING_FROM": "+12015550199",
    "FIELD_ENCRYPTION_KEY": "q2b0nN0x7m1x3mS9Q2l5b2p6YzR0dGh4d2ZqZ0Fac2U=",
    "VAPID_PRIVATE_KEY": "lL0Ckk6GDGJStYKzCgf1BrZRptQKDg4AzI1HzVjUZUE",
    "VAPID_SUBJECT": "mailto:security@portal.example",
}


DROPPED = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run(args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_texts_would_only_be_printed():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {"SMS_BACKEND": "twofactor.sms.console.SmsBackend"},
    )

    assert result.returncode != 0
    assert "twofactor.W001" in result.stderr + result.stdout


def test_a_missing_secret_key_in_production_is_a_clear_start_up_error():
    result = run(["manage.py", "check"], {"SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_missing_field_encryption_key_in_production_is_a_check_error():
    result = run(["manage.py", "check"], {"FIELD_ENCRYPTION_KEY": ""})

    assert result.returncode != 0
    assert "twofactor.E022" in result.stderr
    assert "FIELD_ENCRYPTION_KEY is not set" in result.stderr


def test_a_field_encryption_key_that_is_not_a_fernet_key_is_a_check_error():
    result = run(["manage.py", "check"], {"FIELD_ENCRYPTION_KEY": "not-a-key"})

    assert result.returncode != 0
    assert "twofactor.E023" in result.stderr


PAGE_HEADERS = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/login/", secure=True, headers={"host": "portal.example"})
print(response.status_code)
print(response.headers.get("Content-Security-Policy", "MISSING"))
print(response.headers.get("Strict-Transport-Security", "MISSING"))
"""


def collect_static(tmp_path) -> dict[str, str]:
    """Production static files collected under ``tmp_path``: the settings to find them."""
    static_root = {"STATIC_ROOT": str(tmp_path / "static")}
    collected = run(["manage.py", "collectstatic", "--no-input", "-v", "0"], static_root)
    assert collected.returncode == 0, collected.stderr
    return static_root


def test_production_pages_carry_a_content_security_policy_and_hsts(tmp_path):
    static_root = collect_static(tmp_path)

    result = run(["-c", PAGE_HEADERS], static_root)

    assert result.returncode == 0, result.stderr
    status, csp, hsts = result.stdout.strip().splitlines()[-3:]
    assert status == "200"
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "max-age=31536000" in hsts


def test_production_keeps_the_slow_password_hasher():
    result = run(["-c", "import django; django.setup(); from django.conf import settings; "
                  "print(settings.PASSWORD_HASHERS[0])"])

    assert "PBKDF2PasswordHasher" in result.stdout
