"""The second step of signing in, under /login/ (portal/urls.py includes it there)."""

from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("verify/", views.challenge, name="challenge"),
    path("verify/sms/", views.send_sms, name="send_sms"),
    path("verify/push/", views.new_push, name="new_push"),
    path("verify/status/", views.status, name="status"),
    path("help/", views.help_page, name="help"),
]
