"""Gates sign-ins that wait for their second factor.

- A pending sign-in (password right, second factor not done) reaches only views marked
  ``@reachable_mid_sign_in``; every other view sends it to the challenge page. A view is
  open mid-sign-in because it says so, never because its path starts like an open one.
- A signed-in session whose person now needs a second factor (an admin just switched it on)
  and that was not verified is turned back into a pending sign-in.
- A person signed in only to set up their first way to sign in (the password and an emailed
  code: ``twofactor.enrolment``) reaches only views marked ``@reachable_setting_up``, while
  their password is recent; once a way is usable, the sign-in goes on to the challenge.
- A person who reported a sign-in as not theirs ("This wasn't me") reaches only "Choose a
  new password" (and signing out) until they have chosen one.

It costs no query on a verified request: it reads the session and the person the auth
backend loads anyway (with firm and client), unlike django-otp's ``OTPMiddleware``, which
loads the device on every request.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.middleware import return_path
from accounts.policy import needs_second_factor
from twofactor import methods
from twofactor.enrolment import first_signin
from twofactor.signin import attempts, flow


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args, kwargs
    ) -> HttpResponse | None:
        if first_signin.setting_up(request):  # first: it is signed in, if only just
            return setting_up(request, view)
        if getattr(view, "reachable_mid_sign_in", False):
            return None
        if attempts.pending_id(request):
            return redirect("twofactor:challenge")
        user = request.user
        if (
            USER_SESSION_KEY in request.session
            and user.is_authenticated
            and DEVICE_ID_SESSION_KEY not in request.session
            and needs_second_factor(user)
        ):
            sign_in = attempts.new_id()
            audit.record(Tag.SECOND_FACTOR_REQUIRED, request=request, subject=user,
                         attempt_id=sign_in)
            return flow.begin(request, user, return_path(request), attempt_id=sign_in)
        if (
            user.is_authenticated
            and user.must_change_password
            and not getattr(view, "reachable_before_new_password", False)
        ):
            return redirect("choose_new_password")
        return None


def setting_up(request: HttpRequest, view: Callable[..., HttpResponse]) -> HttpResponse | None:
    """A first sign-in's set-up session: on to the challenge once a way is usable (the new
    factor is proven once, like any other), signed out when the password is no longer
    recent, else only its own pages."""
    user = request.user
    if not needs_second_factor(user):  # 2FA was switched off meanwhile: signed in as is
        request.session.pop(first_signin.SETTING_UP, None)
        return None
    usable = methods.usable_by(user)
    if usable:
        next_url = first_signin.set_up_done(request, [way.label for way in usable])
        return flow.begin(request, user, next_url)
    if not reauth.is_recent(request):
        logout(request)
        minutes = reauth.window_seconds() // 60
        messages.info(request, f"Setting up took longer than {minutes} minutes. Sign in again.")
        return redirect("login")
    if getattr(view, "reachable_setting_up", False):
        return None
    return redirect("twofactor:set_up_first")
