"""Every URL pattern of the portal, for tests that go over all of them."""

from collections.abc import Callable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def every_view(patterns=None, prefix: str = "") -> Iterator[tuple[str, Callable]]:
    """Each route as written, e.g. ``manage/employees/<int:pk>/``, with its view."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_view(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def every_pattern() -> Iterator[str]:
    for route, _ in every_view():
        yield route
