"""The configured provider: ``get_provider()`` (chosen by TWOFACTOR_PROVIDER among
TWOFACTOR_PROVIDERS, where test settings add a fake one)."""

from functools import cache

from django.utils.module_loading import import_string

from twofactor.conf import conf
from twofactor.providers.base import Provider


def get_provider(name: str | None = None) -> Provider:
    """The provider named by TWOFACTOR_PROVIDER (or ``name``)."""
    return _load(name or conf.TWOFACTOR_PROVIDER)


@cache
def _load(name: str) -> Provider:
    return import_string(conf.TWOFACTOR_PROVIDERS[name])()


def _forget_providers(**kwargs) -> None:
    _load.cache_clear()


# Tests (and override_settings) change provider settings: build providers afresh then.
from django.core.signals import setting_changed  # noqa: E402

setting_changed.connect(_forget_providers)
