"""Start-up checks: a misconfigured second factor is caught by `manage.py check`, not at the
first sign-in."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from twofactor.conf import conf
from twofactor.providers import PROVIDERS


@register(Tags.security)
def simulated_phone_only_in_development(app_configs, **kwargs) -> list[Error]:
    errors = []
    if conf.TWOFACTOR_PROVIDER not in PROVIDERS:
        errors.append(Error(
            f"TWOFACTOR_PROVIDER is {conf.TWOFACTOR_PROVIDER!r}.",
            hint=f"Use one of: {', '.join(PROVIDERS)}.", id="twofactor.E001",
        ))
    if conf.SIMULATED_PHONE and not settings.DEBUG:
        errors.append(Error(
            "SIMULATED_PHONE is on with DEBUG off: /dev/phone/ would show every token and "
            "let anyone approve sign-ins.",
            hint="Unset SIMULATED_PHONE in production.", id="twofactor.E002",
        ))
    return errors
