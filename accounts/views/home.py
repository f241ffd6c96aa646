"""Where people land after signing in: the partner dashboard or their client site's page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("client_home" if request.user.is_end_user else "dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.is_end_user:
        return redirect("client_home")
    return render(request, "accounts/dashboard.html", {"firm": request.user.firm})


@login_required
def client_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_end_user:
        return redirect("dashboard")
    return render(request, "accounts/client_home.html", {"client": request.user.client})
