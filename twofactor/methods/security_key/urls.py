"""Security keys' URLs: "Use a security key" on the challenge page, "Sign in with a passkey"
on the login page, and adding and removing keys on the Security page."""

from django.urls import path

from twofactor.methods.security_key import views

challenge_urlpatterns = [
    path("verify/key/options/", views.key_options, name="key_options"),
    path("verify/key/", views.key_answer, name="key_answer"),
]
urlpatterns = [
    path("login/passkey/options/", views.passkey_options, name="passkey_options"),
    path("login/passkey/", views.passkey_answer, name="passkey_answer"),
    path("security/keys/add/", views.add_key_page, name="security_key_add"),
    path("security/keys/add/options/", views.add_key_options, name="security_key_add_options"),
    path("security/keys/add/finish/", views.add_key_finish, name="security_key_add_finish"),
    path("security/keys/<int:pk>/remove/", views.remove_key, name="security_key_remove"),
]
