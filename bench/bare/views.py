from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def page(request: HttpRequest) -> HttpResponse:
    """Bare Django's signed-in page: the session, the user, a template."""
    return render(request, "bare/page.html")
