"""URLs of the provider callbacks; the project mounts them at ``twofactor/callbacks/``."""

from django.urls import path

from twofactor import callbacks

urlpatterns = [
    path("authy/", callbacks.authy_callback, name="authy_callback"),
    path("twilio/", callbacks.twilio_callback, name="twilio_callback"),
]
