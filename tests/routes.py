"""Every URL pattern of the portal, for tests that go over all of them."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def every_pattern(patterns=None, prefix: str = "") -> Iterator[str]:
    """Each route as written, e.g. ``manage/employees/<int:pk>/``."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_pattern(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route
