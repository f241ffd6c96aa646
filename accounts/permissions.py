"""Who may open which page: firm admins for Admin pages (everyone else gets 403), and the
few pages a person may reach between the password and the second factor."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def firm_admin_required(view: View) -> View:
    """Signed in (else to the login page) and a firm admin (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_firm_admin:
            raise PermissionDenied("Only your firm's administrators can open Admin pages.")
        return view(request, *args, **kwargs)

    return wrapper


def reachable_mid_sign_in(view: View) -> View:
    """Mark ``view`` as reachable by a session whose sign-in waits for its second factor.

    Every other view sends such a session back to the challenge (the second-factor
    middleware reads this mark): a page is open mid-sign-in only because it says so.
    """
    view.reachable_mid_sign_in = True  # type: ignore[attr-defined]
    return view


def reachable_before_new_password(view: View) -> View:
    """Mark ``view`` as reachable by a person who must choose a new password first (after
    reporting a sign-in that was not theirs); every other view sends them to that page."""
    view.reachable_before_new_password = True  # type: ignore[attr-defined]
    return view


# The session key of a person signed in only to set up a first way (``twofactor.enrolment``):
# here so the navigation can tell without importing up a layer.
SETTING_UP_SESSION_KEY = "twofactor_setting_up"


def reachable_setting_up(view: View) -> View:
    """Mark ``view`` as reachable by a person signed in only to set up their first way to
    sign in (the password and an emailed code, no factor yet): the set-up pages, their
    first-sign-in page, signing out. Every other view sends them back to that page."""
    view.reachable_setting_up = True  # type: ignore[attr-defined]
    return view
