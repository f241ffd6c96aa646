"""Making a new set of backup codes from the Security page: shown once, then only hashes."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.reauth import require_recent_password
from portal.text_templates import render_text
from twofactor.methods.backup_codes import codes as backup_codes


@login_required
@never_cache
@require_recent_password
def make_backup_codes(request: HttpRequest) -> HttpResponse:
    """GET: what a new set means. POST (password fresh): the new codes, shown this once."""
    if request.method != "POST":
        return render(request, "twofactor/methods/backup_codes/confirm.html",
                      {"has_codes": backup_codes.has_codes(request.user)})
    codes = backup_codes.generate(request.user, request=request)
    text = render_text(
        "twofactor/methods/backup_codes/codes.txt", {"codes": codes, "person": request.user}
    )
    return render(
        request,
        "twofactor/methods/backup_codes/codes.html",
        {"codes": codes, "download_href": "data:text/plain;charset=utf-8," + quote(text)},
    )
