"""URL map. Django's own admin site is not installed: there is no second way in."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("twofactor.urls")),
    path("", include("manage.urls")),
]
