"""The push part of the Security page: the person's phone apps enrolled for push, each with
"Remove".

With Twilio Verify the app creates its push factor at Twilio directly, so the list is read
from the provider (the person's Entity), never from the portal's own tables, and "Remove"
deletes the factor there. Removing needs the rule for adding a factor (``step_up``): a stolen
session must not strip factors silently. Shown only where the provider ``enrols_push_app``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import audit
from twofactor import notifications
from twofactor.methods.push.tags import PushTag
from twofactor.providers import get_provider
from twofactor.providers.base import ProviderError, PushFactor
from twofactor.signin.step_up import require_fresh_factor

STATUS_TEXT = {"verified": "Ready", "unverified": "Setup not finished"}
NOT_REMOVED = "Your app was not removed; try again in a moment."


def security_context(request: HttpRequest) -> dict:
    """The apps to list, or the provider's trouble in reading them."""
    provider = get_provider()
    if not provider.enrols_push_app:
        return {"shown": False}
    try:
        apps = provider.push_factors(request.user)
    except ProviderError as error:
        return {"shown": True, "apps": [], "error": f"{error.user_message} Your phone apps "
                "cannot be listed just now; reload the page in a moment."}
    return {
        "shown": True,
        "app_name": provider.app_name,
        "apps": [{"app": app, "status": STATUS_TEXT.get(app.status, app.status)} for app in apps],
    }


def remove(user, app: PushFactor, *, request: HttpRequest | None = None) -> bool:
    """Delete ``app`` at the provider; audit and email the person. False if already gone."""
    if not get_provider().delete_push_factor(user, app.id):
        return False
    audit.record(PushTag.PUSH_APP_REMOVED, request=request, subject=user,
                 app=app.friendly_name[:64])
    notifications.factors_changed(
        user, "push_app_removed", "a phone app was removed", request=request,
        app_name=app.friendly_name,
    )
    return True


@login_required
@never_cache
@require_fresh_factor
def remove_push_app(request: HttpRequest, factor_id: str) -> HttpResponse:
    """GET: which app, and a "Remove" button. POST (password and factor fresh): remove it."""
    provider = get_provider()
    if not provider.enrols_push_app:
        raise Http404
    try:
        app = next((a for a in provider.push_factors(request.user) if a.id == factor_id), None)
        if app is None:  # another person's id reads the same as one already removed
            messages.info(request, "That app is not on your account (any more).")
            return redirect("security")
        if request.method != "POST":
            return render(request, "twofactor/methods/push/remove.html", {"app": app})
        removed = remove(request.user, app, request=request)
    except ProviderError as error:
        messages.error(request, f"{error.user_message} {NOT_REMOVED}")
        return redirect("security")
    if removed:
        messages.success(request, f"{app.friendly_name or 'The app'} is removed. It can no "
                                  "longer approve your sign-ins.")
    else:
        messages.info(request, "That app is not on your account (any more).")
    return redirect("security")
