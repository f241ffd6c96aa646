"""SMS's URLs: "Send SMS token" on the challenge page."""

from django.urls import path

from twofactor.methods.sms import views

challenge_urlpatterns = [
    path("verify/sms/", views.send_sms, name="send_sms"),
]
urlpatterns: list = []
