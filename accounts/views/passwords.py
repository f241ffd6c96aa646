"""Setting a password: from an email link (an invitation, or "Forgot your password?"),
"Change password" while signed in, and "Choose a new password" right after signing in, for a
person who reported a sign-in that was not theirs.

In the manner of Django's PasswordResetConfirmView: the token is moved from the URL into the
session at once (so it does not leak through the Referer header) and checked again when the
password is set. Setting a password never signs anyone in: the person is sent to sign in,
where the second factor is asked for as usual.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import audit, emails, reauth, sessions
from accounts.audit import Tag
from accounts.login_limits import ReauthGuess
from accounts.models import User, normalize_email
from accounts.permissions import reachable_before_new_password, reachable_mid_sign_in
from accounts.policy import needs_second_factor
from accounts.tokens import encode_uid, invitation_tokens, person_from_uid, reset_tokens
from portal import limits
from portal.request_info import client_ip

_SESSION_TOKEN = "accounts_password_link_token"
_SET_PASSWORD = "set-password"
# "Forgot your password?": emails per account and requests per address, each per hour.

_KINDS = {
    "invitation": (invitation_tokens, "Choose your password", "Set password"),
    "password_reset": (reset_tokens, "Choose a new password", "Set new password"),
}


def _set_password_page(request: HttpRequest, uidb64: str, token: str, kind: str) -> HttpResponse:
    generator: PasswordResetTokenGenerator
    generator, title, button = _KINDS[kind]
    person = person_from_uid(uidb64)
    if token != _SET_PASSWORD:
        if person is not None and generator.check_token(person, token):
            request.session[_SESSION_TOKEN] = token
            return redirect(reverse(kind, kwargs={"uidb64": uidb64, "token": _SET_PASSWORD}))
        return _link_invalid(request)
    token = request.session.get(_SESSION_TOKEN, "")
    if person is None or not generator.check_token(person, token):
        return _link_invalid(request)
    form = SetPasswordForm(person, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # a new hash: this link and every session of the old password are dead
        del request.session[_SESSION_TOKEN]
        audit.record(Tag.PASSWORD_SET, request=request, subject=person, via=kind)
        if kind == "password_reset":  # signed out: after the response, like the reset link
            emails.after_response(lambda: emails.send_notice(
                person, "password_changed", "your password was changed"))
        logout(request)  # ends whatever this browser had, signed in or half-way through
        messages.success(
            request, "Your password is set. Sign in with your email and the new password."
        )
        return redirect("login")
    return render(
        request,
        "accounts/set_password.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "person": person,
            "needs_second_factor": needs_second_factor(person),
        },
    )


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/link_invalid.html", status=400)


@reachable_mid_sign_in
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _set_password_page(request, uidb64, token, "invitation")


@reachable_mid_sign_in
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def reset_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _set_password_page(request, uidb64, token, "password_reset")


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


@never_cache
def forgot_password(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the email is known, and
    so is the work: the lookup and the mail happen after the response has gone."""
    form = ForgotPasswordForm(data=request.POST or None)
    if request.method == "POST":
        try:
            limits.hit("password_reset.ip", client_ip(request))
        except limits.RateLimited:
            audit.record(Tag.PASSWORD_RESET_THROTTLED, request=request)
            return render(
                request,
                "accounts/forgot_password.html",
                {
                    "form": form,
                    "throttled": True,
                },
                status=429,
            )
        if form.is_valid():
            email = normalize_email(form.cleaned_data["email"])
            emails.after_response(lambda: send_reset_link(request, email))
            return render(request, "accounts/forgot_password_sent.html")
    return render(request, "accounts/forgot_password.html", {"form": form})


def send_reset_link(request: HttpRequest, email: str) -> None:
    """Email a reset link to an active person with that email, a few times an hour at most."""
    person = User.objects.filter(email=email, is_active=True).select_related("firm").first()
    if person is None:
        return
    try:
        limits.hit("password_reset.account", person.pk)
    except limits.RateLimited:
        audit.record(Tag.PASSWORD_RESET_THROTTLED, request=request, subject=person)
        return
    path = reverse(
        "password_reset",
        kwargs={"uidb64": encode_uid(person), "token": reset_tokens.make_token(person)},
    )
    emails.send_notice(person, "password_reset", "reset your password", {"link_path": path})
    audit.record(Tag.PASSWORD_RESET_REQUESTED, request=request, subject=person)


class ChangePasswordForm(PasswordChangeForm):
    """The current password, then the new one twice, checked by AUTH_PASSWORD_VALIDATORS."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password2"].label = "New password again"


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
def change_password(request: HttpRequest) -> HttpResponse:
    """Change password: a wrong current password counts like one at "Confirm your password"
    (too many end this session); a new one ends every other session and pending sign-in."""
    form = ChangePasswordForm(request.user, data=request.POST or None)
    if request.method == "POST":
        guess = ReauthGuess(request)
        if not guess.allowed:
            return reauth.end_session_after_wrong_passwords(request)
        if form.is_valid():
            guess.refund()
            password_changed(request, form)
            messages.success(
                request, "Your password is changed. You are signed out everywhere else."
            )
            return redirect("security")
        if not form.has_error("old_password", "password_incorrect"):
            guess.refund()
        elif guess.used_up():
            return reauth.end_session_after_wrong_passwords(request)
    return render(request, "accounts/change_password.html", {"form": form})


def password_changed(request: HttpRequest, form: ChangePasswordForm) -> None:
    """Save the new password; it changes the session auth hash, which ends every other
    session and every pending sign-in (bound to it). This session is kept."""
    person = form.save()
    ended = sessions.end_other_sessions(request)  # lists them as ended; keeps this one
    reauth.mark_recent(request)
    audit.record(Tag.PASSWORD_CHANGED, request=request, subject=person, other_sessions=ended)
    emails.send_notice(person, "password_changed", "your password was changed",
                       {"this_browser_kept": True})


@login_required
@reachable_before_new_password
@sensitive_post_parameters()
@never_cache
def choose_new_password(request: HttpRequest) -> HttpResponse:
    """"Choose a new password": right after the second factor, for a person who reported a
    sign-in that was not theirs (someone else knows the old one). Nothing else opens first."""
    person = request.user
    if not person.must_change_password:
        return redirect("home")
    form = SetPasswordForm(person, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(commit=False)
        person.must_change_password = False
        person.save(update_fields=["password", "must_change_password"])
        update_session_auth_hash(request, person)  # this browser stays; every other ends
        audit.record(Tag.PASSWORD_SET, request=request, subject=person, via="reported_sign_in")
        emails.send_notice(person, "password_changed", "your password was changed")
        messages.success(request, "Your new password is set. Other sessions were signed out.")
        return redirect("home")
    return render(
        request,
        "accounts/set_password.html",
        {
            "form": form,
            "title": "Choose a new password",
            "button": "Set new password",
            "person": person,
            "signed_in": True,
        },
    )
