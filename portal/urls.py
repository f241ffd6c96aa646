"""URL map. Django's own admin site is not installed: there is no second way in."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("login/", include("twofactor.urls")),
    path("dev/phone/", include("twofactor.phone_sim.urls")),
    path("twofactor/callbacks/", include("twofactor.callback_urls")),
    path("twofactor/push/", include("twofactor.enrollment_urls")),
    path("", include("twofactor.recovery_urls")),
]
