"""Authenticator apps' URLs: setting one up (with its QR code) and removing it."""

from django.urls import path

from twofactor.methods.totp import views

challenge_urlpatterns: list = []
urlpatterns = [
    path("security/authenticator-app/", views.set_up, name="totp_setup"),
    path("security/authenticator-app/qr.svg", views.qr_code, name="totp_qr"),
    path("security/authenticator-app/remove/", views.remove, name="totp_remove"),
]
