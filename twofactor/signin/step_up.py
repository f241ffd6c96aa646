"""``@require_fresh_factor``: a page that adds a factor (or changes one) asks first for
what the rule in ``freshness`` says is missing, then comes back. A GET changes nothing: it
is sent to "Confirm it's you", whose button starts the confirmation; a POST starts it."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

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
            if request.method == "POST":  # the person acted: confirm now, then come back
                return flow.begin(request, request.user, back, confirm=True)
            return redirect(f"{reverse('confirm_identity')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper
