"""The desktop's side: "Set up the Partner Portal app on a phone" and "Remove" on Security.

Both follow the rule for adding a factor (``@require_fresh_factor``). The set-up page shows
the link as a QR code (an SVG served by its own URL: no CSP exception) and as text, and the
field for the code the phone shows. The link's secret lives in this desktop's session only.
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
from twofactor.methods.push.portal_app import pairing, phones
from twofactor.methods.push.portal_app.models import AppPhone
from twofactor.signin import freshness
from twofactor.signin.step_up import require_fresh_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code shown on the phone", max_length=20,
        help_text="The 6 digits the app shows after you press “Add this phone” there.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "").strip()
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Enter the 6 digits the phone shows, e.g. 482913.")
        return code


@reachable_setting_up
@login_required
@never_cache
@sensitive_post_parameters("code")
@require_fresh_factor
def set_up(request: HttpRequest) -> HttpResponse:
    """GET: the link (QR code and text) and the code field. POST "Confirm": the code;
    POST "new": a new link."""
    if request.method == "POST" and "new" in request.POST:
        pairing.start(request)
        return redirect("portal_app_set_up")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        confirmed = pairing.confirm(request, form.cleaned_data["code"])
        if confirmed.ok:
            messages.success(request, confirmed.message)
            return redirect("security")
        form.add_error("code", confirmed.message)
    held = pairing.current(request)
    if held is None and not form.is_bound:
        pairing.start(request)
        held = pairing.current(request)
    context = {"form": form, "phones": phones.phones_of(request.user)}
    if held is not None:
        made, secret = held
        context.update(link=pairing.link(secret, request), pairing=made)
    return render(request, "portal_app/set_up.html", context,
                  status=400 if form.is_bound else 200)


@reachable_setting_up
@login_required
@never_cache
def qr_code(request: HttpRequest) -> HttpResponse:
    """The set-up page's link as a QR code (SVG), for its ``<img>``."""
    held = pairing.current(request) if freshness.may_add_factor(request).allowed else None
    if held is None:
        return HttpResponse(status=404)
    svg = io.BytesIO()
    segno.make(pairing.link(held[1], request), error="m").save(
        svg, kind="svg", scale=5, border=4, light="white", title="Link for your phone"
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@login_required
@never_cache
@require_fresh_factor
def remove(request: HttpRequest, phone_id: int) -> HttpResponse:
    """GET: which phone and what removing means. POST: remove it."""
    phone = AppPhone.objects.filter(pk=phone_id, user=request.user).first()
    if phone is None:
        messages.info(request, "That phone is not on your account (any more).")
        return redirect("security")
    if request.method != "POST":
        return render(request, "portal_app/remove.html", {"phone": phone})
    if phones.remove(request.user, phone.pk, request=request, by=request.user):
        messages.success(request, f"“{phone.name}” is removed. It can no longer approve "
                                  "your sign-ins.")
    return redirect("security")


def security_context(request: HttpRequest) -> dict:
    """The Security page's "Phones with the app"."""
    return {"app_phones": phones.phones_of(request.user)}
