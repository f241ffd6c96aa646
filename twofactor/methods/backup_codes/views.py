"""Making a new set of backup codes from the Security page: shown once, then only hashes.

A new set is ten portable ways in, so making one follows the rule for adding a factor
(``@require_fresh_factor``): a session that got in by a backup code or a remembered browser
(paper or a cookie, not a factor) confirms with a real factor first. A person whose only
factor is backup codes needs only the fresh password, as for a first factor: refusing them
would leave an admin's reset as the only way back once the codes run out.
"""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.text_templates import render_text
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.signin.step_up import require_fresh_factor


@login_required
@never_cache
@require_fresh_factor
def make_backup_codes(request: HttpRequest) -> HttpResponse:
    """GET: what a new set means. POST: the new codes, shown this once."""
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
