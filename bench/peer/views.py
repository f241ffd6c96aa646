from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_otp.decorators import otp_required


@otp_required
def page(request: HttpRequest) -> HttpResponse:
    """The peer's verified page: the session, the user, its device, a template."""
    return render(request, "peer/page.html")
