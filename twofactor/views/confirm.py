"""'Confirm it's you': the step before a change that needs a fresh second factor.

A GET changes nothing, so the page only explains and offers "Continue"; pressing it (a POST)
starts the confirmation, which sends the push and opens the challenge page, and comes back
to the change afterwards.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.redirects import safe_next
from twofactor.signin import flow


@login_required
@never_cache
def confirm_identity(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, "/security/")
    if request.method == "POST":
        return flow.begin(request, request.user, next_url, confirm=True)
    return render(request, "twofactor/confirm.html", {"next": next_url})
