"""Baselines measured in the same run as the product: bare Django on the same stack."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def trivial_json(request: HttpRequest) -> JsonResponse:
    """No session, no query: the floor under the OneTouch poll."""
    return JsonResponse({"status": "pending"})


@login_required
def plain_page(request: HttpRequest) -> HttpResponse:
    """The signed-in dashboard as plain ``login_required`` serves it, no second factor."""
    return render(request, "accounts/dashboard.html", {"firm": request.user.firm})
