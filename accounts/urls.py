from django.urls import path

from accounts.views import activity, auth, clients, employees, home, security

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("reauthenticate/", auth.reauthenticate_view, name="reauthenticate"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("site/", home.client_home, name="client_home"),
    path("security/", security.security, name="security"),
    path("manage/employees/", employees.manage_employees, name="manage_employees"),
    path("manage/clients/", clients.manage_clients, name="manage_clients"),
    path("manage/activity/", activity.activity, name="activity"),
]
