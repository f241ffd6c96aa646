"""A person's own account: landing pages, signing out, confirming the password, and
setting a password from an email link."""

from django.urls import path

from accounts.views import auth, home, passwords

urlpatterns = [
    path("", home.home, name="home"),
    path("logout/", auth.logout_view, name="logout"),
    path("reauthenticate/", auth.reauthenticate_view, name="reauthenticate"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("site/", home.client_home, name="client_home"),
    path("password/change/", passwords.change_password, name="password_change"),
    # Setting a password from an email link (never signs anyone in).
    path("password/new/", passwords.choose_new_password, name="choose_new_password"),
    path("password/forgot/", passwords.forgot_password, name="password_forgot"),
    path("email/invitation/<uidb64>/<token>/", passwords.accept_invitation, name="invitation"),
    path("email/password-reset/<uidb64>/<token>/", passwords.reset_password, name="password_reset"),
]
