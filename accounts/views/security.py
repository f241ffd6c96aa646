"""Security: a person's own phone, backup codes, sessions and recent events."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import phones


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/security.html", {"masked_phone": phones.mask(request.user.phone)}
    )
