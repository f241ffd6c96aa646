from django.urls import path

from tests.email_codes import views

challenge_urlpatterns = [
    path("verify/email-code/", views.send, name="send_email_code"),
]
urlpatterns = [
    path("security/email-codes/", views.turn_on, name="email_codes_turn_on"),
]
