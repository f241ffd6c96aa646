"""A failed CSRF check, said in words: on the sign-in pages (a second login tab, a form left
open past a sign-in) the person starts signing in again, told why; elsewhere the branded
"This form expired" page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

SIGN_IN_EXPIRED = (
    "Your sign-in form had expired (it was open in another tab, or for too long), so nothing "
    "was sent. Log in again."
)


EXPIRED_MARK = "form=expired"  # tells this redirect apart from any view's own


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith(reverse("login")):
        messages.warning(request, SIGN_IN_EXPIRED)
        return redirect(f"{reverse('login')}?{EXPIRED_MARK}")
    return render(request, "403_csrf.html", status=403)
