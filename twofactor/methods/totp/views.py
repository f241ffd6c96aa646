"""Setting up and removing an authenticator app from the Security page.

Both follow the rule for adding a factor (``@require_fresh_factor``). The QR code is an SVG
served by its own URL, so the page shows it as an ``<img>`` and the CSP needs no exception.
"""

import io

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.permissions import reachable_setting_up
from twofactor.methods.totp import authenticator
from twofactor.signin import freshness, verification
from twofactor.signin.step_up import require_fresh_factor


class TurnOnForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=verification.MAX_INPUT_LENGTH,
        help_text="The 6-digit code your app shows for Partner Portal now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not (len(code) == authenticator.DIGITS and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Enter the 6 digits the app shows, e.g. 123456.")
        return code


@reachable_setting_up
@login_required
@never_cache
@sensitive_post_parameters("code")
@require_fresh_factor
def set_up(request: HttpRequest) -> HttpResponse:
    """GET: the QR code, the setup key and the code field. POST: "Turn on"."""
    app = authenticator.pending_setup(request.user)
    if app is None:
        messages.info(
            request, "An authenticator app is already on. Remove it first to set up another."
        )
        return redirect("security")
    form = TurnOnForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if authenticator.turn_on(request.user, form.cleaned_data["code"], request=request):
            messages.success(
                request,
                "Your authenticator app is on. At sign-in, type its code into "
                '"Token or Security Key".',
            )
            return redirect("security")
        form.add_error(
            "code",
            "That code is not the one the app shows now. Check that the app's entry is for "
            "this setup key and that the phone's clock is right, then try the newest code.",
        )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "twofactor/methods/totp/setup.html",
        {"form": form, "setup_key": authenticator.setup_key(authenticator.secret_of(app))},
        status=status,
    )


@reachable_setting_up
@login_required
@never_cache
def qr_code(request: HttpRequest) -> HttpResponse:
    """The setup in progress as a QR code (SVG), for the setup page's ``<img>``."""
    app = None
    if freshness.may_add_factor(request).allowed:
        app = authenticator.pending_setup(request.user)
    if app is None:
        return HttpResponse(status=404)
    uri = authenticator.provisioning_uri(request.user, authenticator.secret_of(app))
    svg = io.BytesIO()
    segno.make(uri, error="m").save(
        svg, kind="svg", scale=5, border=4, light="white", title="Setup QR code"
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@login_required
@never_cache
@require_fresh_factor
def remove(request: HttpRequest) -> HttpResponse:
    """GET: what removing means. POST: remove the app."""
    if request.method == "POST":
        if authenticator.remove(request.user, request=request):
            messages.warning(request, "Your authenticator app was removed.")
        return redirect("security")
    return render(request, "twofactor/methods/totp/remove.html",
                  {"has_app": authenticator.has_app(request.user)})
