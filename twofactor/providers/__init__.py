"""The configured provider: ``get_provider()`` (chosen by TWOFACTOR_PROVIDER among
TWOFACTOR_PROVIDERS, where test settings add a fake one).

Callers ask a provider's capabilities (``polled_for_answers`` and the others documented on
:class:`~twofactor.providers.base.Provider`), never its name."""

from functools import cache

from django.utils.module_loading import import_string

from twofactor.conf import conf
from twofactor.providers.base import Provider


def get_provider(name: str | None = None) -> Provider:
    """The provider named by TWOFACTOR_PROVIDER (or ``name``)."""
    return _load(name or conf.TWOFACTOR_PROVIDER)


def names_where(capability: str) -> list[str]:
    """The configured provider names whose class has ``capability`` set. Read from the
    classes, so providers whose credentials are not configured are not built."""
    return [
        name
        for name, path in conf.TWOFACTOR_PROVIDERS.items()
        if getattr(_class(path), capability)
    ]


@cache
def _load(name: str) -> Provider:
    return _class(conf.TWOFACTOR_PROVIDERS[name])()


@cache
def _class(path: str) -> type[Provider]:
    return import_string(path)


def _forget_providers(**kwargs) -> None:
    _load.cache_clear()


# Tests (and override_settings) change provider settings: build providers afresh then.
from django.core.signals import setting_changed  # noqa: E402

setting_changed.connect(_forget_providers)
