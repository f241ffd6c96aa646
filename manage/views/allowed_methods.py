"""The ways of signing in a firm (or a client) allows, on Manage Employees and a client's
page. Allowing fewer ways needs the admin's password from the last 10 minutes, as turning
two-factor authentication off does; the change is audited and told to the other admins."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts import reauth
from accounts.models import Client, Firm
from manage import people
from manage.forms import AllowedMethodsForm

ACTION = "methods"


def unsaved_form(request: HttpRequest, holder: Firm | Client) -> AllowedMethodsForm:
    """The form as saved, or as the admin ticked it before confirming their password
    (``?allow=push&allow=sms``)."""
    names = {name for name, _ in people.policy_choices()}
    asked = [name for name in request.GET.getlist("allow") if name in names]
    return AllowedMethodsForm(initial={"methods": asked or people.allowed_now(holder)})


def save(
    request: HttpRequest, holder: Firm | Client, *, what: str
) -> HttpResponse | AllowedMethodsForm:
    """Apply a posted form: a redirect when done, or the form with its errors."""
    form = AllowedMethodsForm(request.POST)
    if not form.is_valid():
        return form
    chosen = form.cleaned_data["methods"]
    if people.weakens(holder, chosen) and not reauth.is_recent(request):
        messages.info(
            request,
            "Allowing fewer ways to sign in needs your password: confirm it, then press "
            "Update ways to sign in again.",
        )
        back = f"{request.path}?{urlencode([('allow', name) for name in chosen])}"
        return redirect(reauth.reauth_url(back))
    if people.set_allowed_methods(holder, chosen, actor=request.user, request=request):
        messages.success(request, f"The ways to sign in for {what} were saved.")
    else:
        messages.info(request, f"Nothing changed for {what}.")
    return redirect(request.path)
