"""The Security page's "Remembered browsers": each one with "Forget"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.audit import Tag
from twofactor.remember import browsers


def security_context(request: HttpRequest) -> dict:
    return {"remembered_browsers": list(browsers.listed(request.user))}


@login_required
@require_POST
def forget_browser(request: HttpRequest, browser_id: int) -> HttpResponse:
    if browsers.forget(request.user, browser_id):
        audit.record(Tag.BROWSER_FORGOTTEN, request=request, subject=request.user)
        messages.success(request, "That browser is forgotten: it will ask for the second step.")
    return redirect("security")
