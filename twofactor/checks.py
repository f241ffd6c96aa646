"""Start-up checks: a misconfigured second factor is caught by `manage.py check`, not at the
first sign-in.

A chosen provider with missing or malformed credentials stops start-up with a message that
names the environment variable to set (Django runs these before ``runserver``, ``migrate``
and ``check --deploy``).
"""

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from twofactor.conf import conf


@register(Tags.security)
def simulated_phone_only_in_development(app_configs, **kwargs) -> list[Error]:
    errors = []
    if conf.TWOFACTOR_PROVIDER not in conf.TWOFACTOR_PROVIDERS:
        errors.append(Error(
            f"TWOFACTOR_PROVIDER is {conf.TWOFACTOR_PROVIDER!r}.",
            hint=f"Use one of: {', '.join(conf.TWOFACTOR_PROVIDERS)}.", id="twofactor.E001",
        ))
    if conf.SIMULATED_PHONE and not settings.DEBUG:
        errors.append(Error(
            "SIMULATED_PHONE is on with DEBUG off: /dev/phone/ would show every token and "
            "let anyone approve sign-ins.",
            hint="Unset SIMULATED_PHONE in production.", id="twofactor.E002",
        ))
    return errors


TWILIO_MESSAGING_BACKEND = "twofactor.sms.twilio_messaging.SmsBackend"

FORMATS = {
    "AUTHY_API_KEY": (r"[A-Za-z0-9]{20,64}", "20 to 64 letters and digits"),
    "TWILIO_ACCOUNT_SID": (r"AC[0-9a-fA-F]{32}", "AC followed by 32 hexadecimal digits"),
    "TWILIO_AUTH_TOKEN": (r"[0-9a-fA-F]{32}", "32 hexadecimal digits"),
    "TWILIO_VERIFY_SERVICE_SID": (r"VA[0-9a-fA-F]{32}", "VA followed by 32 hexadecimal digits"),
    "TWILIO_MESSAGING_FROM": (
        r"\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32}",
        "a sending number in E.164 (+14155550123) or a Messaging Service SID (MG...)",
    ),
}
NEEDED = {
    "authy": ["AUTHY_API_KEY"],
    "twilio_verify": ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_VERIFY_SERVICE_SID"],
}
BASE_URLS = {"authy": ["AUTHY_API_URL"], "twilio_verify": ["TWILIO_VERIFY_BASE_URL"]}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _credential_errors(names: Iterable[str], why: str) -> list[Error]:
    errors = []
    for name in names:
        value = getattr(conf, name)
        pattern, shape = FORMATS[name]
        if not value:
            errors.append(
                Error(
                    f"{name} is not set.",
                    hint=f"{why} needs {name} ({shape}).",
                    id="twofactor.E010",
                )
            )
        elif not re.fullmatch(pattern, value):
            errors.append(
                Error(
                    f"{name} is malformed.",
                    hint=f"{name} must be {shape}; check for spaces or a truncated value.",
                    id="twofactor.E011",
                )
            )
    return errors


def _url_errors(name: str, value: str) -> list[Error]:
    url = urlsplit(value or "")
    local = url.hostname in LOOPBACK
    if url.scheme == "https" or (url.scheme == "http" and local):
        return []
    return [
        Error(
            f"{name} must be an https:// URL (http:// only for 127.0.0.1).",
            hint=f"{name} is {value!r}.",
            id="twofactor.E012",
        )
    ]


@register()
def check_provider_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The chosen provider's credentials and addresses, and the SMS backend's."""
    provider = conf.TWOFACTOR_PROVIDER
    if provider not in conf.TWOFACTOR_PROVIDERS:
        return []  # reported as twofactor.E001 above
    problems: list[Error] = []
    timeout = conf.PROVIDER_TIMEOUT_SECONDS
    if not isinstance(timeout, int | float) or not 0 < timeout <= 30:
        problems.append(
            Error(
                f"PROVIDER_TIMEOUT_SECONDS is {timeout!r}.",
                hint="Set PROVIDER_TIMEOUT_SECONDS to a number of seconds from 1 to 30.",
                id="twofactor.E014",
            )
        )
    problems += _credential_errors(NEEDED.get(provider, []), f"TWOFACTOR_PROVIDER={provider}")
    for name in BASE_URLS.get(provider, []):
        problems += _url_errors(name, getattr(conf, name))
    if provider != "local" and conf.PUBLIC_BASE_URL:  # unset: twofactor.E015 in production
        public = urlsplit(conf.PUBLIC_BASE_URL)
        if public.scheme not in ("http", "https") or not public.hostname:
            problems.append(
                Error(
                    "PUBLIC_BASE_URL must be the portal's external address (https://...).",
                    hint="Provider callbacks are signed for that URL and checked against it.",
                    id="twofactor.E013",
                )
            )
    if conf.SMS_BACKEND == TWILIO_MESSAGING_BACKEND:
        why = "SMS_BACKEND=twilio_messaging"
        names = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_FROM"]
        problems += [e for e in _credential_errors(names, why) if e not in problems]
        problems += _url_errors("TWILIO_MESSAGING_BASE_URL", conf.TWILIO_MESSAGING_BASE_URL)
    return problems


DEVELOPMENT_SMS_BACKENDS = ("twofactor.sms.console.", "twofactor.sms.locmem.")


@register(Tags.security, deploy=True)
def texts_reach_phones_in_production(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """The console and in-memory SMS backends only print or keep texts: in production they
    would write every token to the log and text nobody (phone-change codes always go
    through SMS_BACKEND, whatever the provider)."""
    if not conf.SMS_BACKEND.startswith(DEVELOPMENT_SMS_BACKENDS):
        return []
    return [
        Warning(
            f"SMS_BACKEND is {conf.SMS_BACKEND}, which texts nobody and logs every token.",
            hint="Set SMS_BACKEND=twofactor.sms.twilio_messaging.SmsBackend (with "
            "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_MESSAGING_FROM) or another "
            "real backend.",
            id="twofactor.W001",
        )
    ]


@register(Tags.security)
def security_keys_need_a_host_name(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Security keys are bound to PUBLIC_BASE_URL's host (the relying party ID), and browsers
    refuse an IP address there: every key ceremony would fail."""
    host = urlsplit(conf.PUBLIC_BASE_URL or "").hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return []
    return [
        Error(
            f"PUBLIC_BASE_URL's host is an IP address ({host}): browsers refuse it as the "
            "relying party of security keys and passkeys.",
            hint="Use a host name: http://localhost:PORT in development, the portal's "
            "https:// name in production.",
            id="twofactor.E020",
        )
    ]


@register(Tags.security)
def secrets_are_encrypted_at_rest(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Authenticator-app secrets are stored encrypted with FIELD_ENCRYPTION_KEY: production
    must set it (development derives one from SECRET_KEY), and each key must be a Fernet key."""
    keys = settings.FIELD_ENCRYPTION_KEY
    if not keys:
        return [Error(
            "FIELD_ENCRYPTION_KEY is not set: authenticator-app secrets cannot be stored.",
            hint="Set it to a Fernet key: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'. To rotate, put the new key first and "
            "keep the old ones after it, comma-separated (docs/configuration.md).",
            id="twofactor.E022",
        )]
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(Error(
                f"FIELD_ENCRYPTION_KEY's key number {position} is not a Fernet key.",
                hint="Each key is 32 bytes in URL-safe base64 (44 characters), as "
                "Fernet.generate_key() makes.",
                id="twofactor.E023",
            ))
    return problems


@register(Tags.security, deploy=True)
def public_base_url_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every link in mail and texts (reset, invitation, confirm, cancel) starts with
    PUBLIC_BASE_URL: in production a missing or malformed one would send dead links."""
    if settings.DEBUG:
        return []
    public = urlsplit(settings.PUBLIC_BASE_URL)
    if public.scheme in ("http", "https") and public.hostname:
        return []
    return [
        Error(
            "PUBLIC_BASE_URL is not set to the portal's external address "
            f"(it is {settings.PUBLIC_BASE_URL!r}): every link in emails and texts would be dead.",
            hint="Set PUBLIC_BASE_URL to the address people open, e.g. "
            "PUBLIC_BASE_URL=https://portal.example.com.",
            id="twofactor.E015",
        )
    ]


@register()
def sign_in_methods_are_plug_ins(app_configs, **kwargs) -> list[Error]:
    """Each app in TWOFACTOR_METHODS names a Method class whose devices are django-otp
    devices (freshness tells a method by its device's model: a wrong name would make every
    session verified by it count as not fresh)."""
    from django.apps import apps
    from django.utils.module_loading import import_string
    from django_otp.models import Device

    from twofactor.methods import Method

    errors = []
    configs = {config.name: config for config in apps.get_app_configs()}
    for name in settings.TWOFACTOR_METHODS:
        config = configs.get(name)
        path = getattr(config, "method_class", "")
        try:
            method = import_string(path) if path else None
        except ImportError:
            method = None
        if method is None or not issubclass(method, Method):
            errors.append(Error(
                f"TWOFACTOR_METHODS lists {name!r}, which is not an installed app naming a "
                "Method class.", hint="Give its AppConfig method_class = '<module>.<Class>'.",
                id="twofactor.E030",
            ))
            continue
        for label in method.device_models:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                model = None
            if model is None or not issubclass(model, Device):
                errors.append(Error(
                    f"{method.__name__}.device_models names {label!r}, which is not a "
                    "django-otp device model.", hint="Use 'app_label.modelname'.",
                    id="twofactor.E031",
                ))
    return errors
