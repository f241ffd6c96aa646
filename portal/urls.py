"""URL map. Django's own admin site is not installed: there is no second way in."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("twofactor.urls")),
    path("", include("manage.urls")),
]

# Every escaped exception: 503 "briefly unavailable" when a store is down, else the 500 page.
handler500 = "portal.outage.server_error"
