"""The portal's error pages: the branded 400, 403, 404 and 500, and a failed CSRF check said
in words (on the sign-in pages, a second login tab or a form left open past a sign-in, the
person starts signing in again, told why; elsewhere the branded "This form expired" page).

Django's own error views run the CSRF check to offer a token (``requires_csrf_token``), and
that check reads the form: when the form is what could not be read, the 400 page itself
failed and the answer was a 500. These views set the token up without the check.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import decorator_from_middleware

SIGN_IN_EXPIRED = (
    "Your sign-in form had expired (it was open in another tab, or for too long), so nothing "
    "was sent. Sign in again."
)


EXPIRED_MARK = "form=expired"  # tells this redirect apart from any view's own


class _TokenWithoutCheck(CsrfViewMiddleware):
    """The CSRF cookie and token for an error page's own forms (Sign out), never the check."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        return None  # the check reads request.POST, which may be what could not be read


_with_csrf_token = decorator_from_middleware(_TokenWithoutCheck)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith(reverse("login")):
        messages.warning(request, SIGN_IN_EXPIRED)
        return redirect(f"{reverse('login')}?{EXPIRED_MARK}")
    return render(request, "403_csrf.html", status=403)


@_with_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)  # no detail: it may name internals


@_with_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"exception": str(exception)}, status=403)


@_with_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)

