"""Who may open which page: firm admins for Admin pages, everyone else gets 403."""

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
