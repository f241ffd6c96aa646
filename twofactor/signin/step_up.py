"""``@require_fresh_factor``: a page that adds a factor (or changes one) asks first for
what the rule in ``freshness`` says is missing, then comes back."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts import reauth
from accounts.middleware import return_path
from twofactor.signin import flow, freshness


def require_fresh_factor(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a person without a fresh password to "Confirm your password", and one without a
    fresh factor to "Confirm it's you"; then back to this page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        verdict = freshness.may_add_factor(request)
        back = return_path(request) or request.path
        if verdict.needs == "password":
            return redirect(reauth.reauth_url(back))
        if verdict.needs == "factor":
            return flow.begin(request, request.user, back, confirm=True)
        return view(request, *args, **kwargs)

    return wrapper
