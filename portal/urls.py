"""URL map. Django's own admin site is not installed: there is no second way in.

The error pages are the portal's own (``accounts.views.errors``): Django's read the form
again while answering that it could not be read.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("twofactor.urls")),
    path("", include("manage.urls")),
]

handler400 = "accounts.views.errors.bad_request"
handler403 = "accounts.views.errors.permission_denied"
handler404 = "accounts.views.errors.page_not_found"
# Every escaped exception: 503 "briefly unavailable" when a store is down, else the 500 page.
handler500 = "portal.outage.server_error"
