"""The security-key settings on Manage Employees (firm) and on a client's page: one small
form each, saved on its own. A weakening needs the admin's password from the last 10
minutes, as turning two-factor authentication off does."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import reauth
from accounts.models import Client
from accounts.permissions import firm_admin_required
from manage import key_rules
from manage.people import NotAllowed


class FirmKeyPolicyForm(forms.Form):
    passkey_sign_in_allowed = forms.BooleanField(
        label="Allow passkey sign-in without a password", required=False
    )
    security_key_required_for_admins = forms.BooleanField(
        label="Require a security key for firm admins", required=False
    )


class ClientKeyPolicyForm(forms.Form):
    passkey_sign_in_allowed = forms.BooleanField(
        label="Allow passkey sign-in without a password", required=False
    )


def firm_form(firm) -> FirmKeyPolicyForm:
    return FirmKeyPolicyForm(initial={
        "passkey_sign_in_allowed": firm.passkey_sign_in_allowed,
        "security_key_required_for_admins": firm.security_key_required_for_admins,
    })


def client_form(client: Client) -> ClientKeyPolicyForm:
    return ClientKeyPolicyForm(initial={"passkey_sign_in_allowed": client.passkey_sign_in_allowed})


def _password_first(request: HttpRequest, back: str) -> HttpResponse:
    messages.info(
        request,
        "This change makes signing in easier, so it needs your password: confirm it, then "
        "press \"Update security key settings\" again.",
    )
    return redirect(reauth.reauth_url(back))


def _done(request: HttpRequest, changes: list[str]) -> None:
    if changes:
        messages.success(request, "Saved: " + "; ".join(changes) + ".")
    else:
        messages.info(request, "Nothing changed.")


@require_POST
@firm_admin_required
def firm_key_policy(request: HttpRequest) -> HttpResponse:
    firm = request.user.firm
    back = reverse("manage_employees")
    form = FirmKeyPolicyForm(request.POST)
    if not form.is_valid():
        return redirect(back)
    wanted = {
        "passkey_allowed": form.cleaned_data["passkey_sign_in_allowed"],
        "keys_required": form.cleaned_data["security_key_required_for_admins"],
    }
    if key_rules.weakens(firm, **wanted) and not reauth.is_recent(request):
        return _password_first(request, back)
    try:
        changes = key_rules.set_firm_policy(firm, actor=request.user, request=request, **wanted)
    except NotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    _done(request, changes)
    return redirect(back)


@require_POST
@firm_admin_required
def client_passkey_policy(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk, firm=request.user.firm)
    back = reverse("client_detail", args=[client.pk])
    form = ClientKeyPolicyForm(request.POST)
    if not form.is_valid():
        return redirect(back)
    allowed = form.cleaned_data["passkey_sign_in_allowed"]
    if key_rules.weakens(client, passkey_allowed=allowed, keys_required=False) and (
        not reauth.is_recent(request)
    ):
        return _password_first(request, back)
    changes = key_rules.set_client_policy(
        client, passkey_allowed=allowed, actor=request.user, request=request
    )
    _done(request, changes)
    return redirect(back)
