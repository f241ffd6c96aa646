"""The first sign-in's page ("Set up a way to sign in"), at ``/login/set-up/``.

Before the emailed code: no window, the page says so and names the firm's admins (nothing
is sent, the session ends); with one, "Email me a code" and the code's field. After it: the
ways the person may set up, the Partner Portal app first (the registry's ``ways_to_set_up``).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import audit
from accounts.models import User
from accounts.permissions import reachable_mid_sign_in, reachable_setting_up
from twofactor import methods
from twofactor.conf import conf
from twofactor.enrolment import email_codes, first_signin, windows
from twofactor.enrolment.tags import EnrolmentTag

WHY_CLOSED = {
    "none": "No set-up window is open for you.",
    "password_reset": "Your password was reset in the last 24 hours, so a first way to sign "
                      "in cannot be set up with an emailed code yet.",
    "email_changed": "Your email address was changed in the last 24 hours, so a first way to "
                     "sign in cannot be set up with an emailed code yet.",
    "factors_removed": "Your ways to sign in were removed by an administrator, so a new one "
                       "needs a set-up window they open for you.",
}


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the email", max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = email_codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                f"Enter the {conf.ENROLMENT_CODE_DIGITS} digits from the email."
            )
        return code


@reachable_mid_sign_in
@reachable_setting_up
@sensitive_post_parameters("code")
@never_cache
def set_up_first(request: HttpRequest) -> HttpResponse:
    if first_signin.setting_up(request):
        return choose_a_way(request)
    found = first_signin.pending(request)
    if found is None:
        messages.info(request, "Your sign-in was not finished in time. Sign in again.")
        return redirect("login")
    person, state = found
    verdict = windows.verdict(person)
    if not verdict.open:
        return window_closed(request, person, verdict.reason)
    form = CodeForm(request.POST if request.POST.get("action") == "code" else None)
    if request.method == "POST" and request.POST.get("action") == "send":
        return send_code(request, person, state)
    if form.is_bound and form.is_valid():
        if email_codes.spend(person, state["nonce"], form.cleaned_data["code"]):
            first_signin.proven(request, person, state)
            return redirect("twofactor:set_up_first")
        audit.record(EnrolmentTag.CODE_REJECTED, request=request, subject=person)
        form.add_error("code", "That code is not right, has expired or was used already. "
                               "Press “Email me a new code”.")
    return render(
        request, "twofactor/first_sign_in.html",
        {"person": person, "form": form, "sent": state.get("sent", False),
         "ways": [way.set_up_label for way in methods.ways_to_set_up(person)],
         "minutes": conf.ENROLMENT_CODE_SECONDS // 60},
        status=400 if form.is_bound else 200,
    )


def send_code(request: HttpRequest, person: User, state: dict) -> HttpResponse:
    wait = email_codes.wait_seconds(person)
    if email_codes.sent_today(person) >= conf.ENROLMENT_CODE_MAX_PER_DAY:
        messages.error(request, "You were emailed too many codes today. Try again tomorrow, "
                                "or ask your firm's administrator.")
    elif wait:
        messages.error(request, f"A code was emailed moments ago. You can ask for another "
                                f"in {wait} seconds.")
    else:
        email_codes.send(person, state["nonce"])
        request.session[first_signin.PENDING] = {**state, "sent": True}
        audit.record(EnrolmentTag.CODE_SENT, request=request, subject=person)
        messages.success(request, f"We emailed a code to {person.email}.")
    return redirect("twofactor:set_up_first")


def window_closed(request: HttpRequest, person: User, reason: str) -> HttpResponse:
    """No window: say why and who can open one; the half-way session ends."""
    audit.record(EnrolmentTag.REFUSED, request=request, subject=person, reason=reason)
    request.session.flush()
    admins = User.objects.filter(
        firm_id=person.firm_id, role=User.Role.ADMIN, is_active=True
    ).exclude(pk=person.pk).only("full_name", "email")
    return render(
        request, "twofactor/first_sign_in_closed.html",
        {"person": person, "why": WHY_CLOSED.get(reason, WHY_CLOSED["none"]),
         "admins": list(admins), "days": conf.ENROLMENT_WINDOW_DAYS,
         "ways": [way.set_up_label for way in methods.ways_to_set_up(person)]},
        status=403,
    )


def choose_a_way(request: HttpRequest) -> HttpResponse:
    ways = [
        {"label": way.set_up_label, "help": way.set_up_help, "url": reverse(way.set_up_url)}
        for way in methods.ways_to_set_up(request.user)
    ]
    return render(request, "twofactor/first_sign_in_ways.html", {"ways": ways})

