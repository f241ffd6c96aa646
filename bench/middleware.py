"""The product's second-factor middleware, skipped only for the baseline pages."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

BASELINE_PREFIX = "/bench/baseline/"


class SecondFactorUnlessBaseline:
    """Runs settings.SECOND_FACTOR_MIDDLEWARE in order, except under BASELINE_PREFIX."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.plain = get_response
        handler = get_response
        for dotted in reversed(settings.SECOND_FACTOR_MIDDLEWARE):
            handler = import_string(dotted)(handler)
        self.guarded = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(BASELINE_PREFIX):
            return self.plain(request)
        return self.guarded(request)
