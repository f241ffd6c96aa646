from django.urls import path

from accounts.views import activity, auth, clients, employees, home, passwords, security

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("reauthenticate/", auth.reauthenticate_view, name="reauthenticate"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("site/", home.client_home, name="client_home"),
    path("security/", security.security, name="security"),
    # Setting a password from an email link (never signs anyone in).
    path("password/forgot/", passwords.forgot_password, name="password_forgot"),
    path("email/invitation/<uidb64>/<token>/", passwords.accept_invitation, name="invitation"),
    path(
        "email/password-reset/<uidb64>/<token>/", passwords.reset_password, name="password_reset"
    ),
    # Admin > Manage Employees
    path("manage/employees/", employees.manage_employees, name="manage_employees"),
    path("manage/employees/add/", employees.add_employee, name="add_employee"),
    path("manage/employees/<int:pk>/", employees.edit_employee, name="edit_employee"),
    path(
        "manage/employees/<int:pk>/deactivate/", employees.deactivate_employee,
        name="employee_deactivate",
    ),
    path(
        "manage/employees/<int:pk>/reactivate/", employees.reactivate_employee,
        name="employee_reactivate",
    ),
    path("manage/employees/<int:pk>/unlock/", employees.unlock_employee, name="employee_unlock"),
    path("manage/employees/<int:pk>/invite/", employees.invite_employee, name="employee_invite"),
    # Admin > Manage Clients
    path("manage/clients/", clients.manage_clients, name="manage_clients"),
    path("manage/clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("manage/clients/<int:client_pk>/users/add/", clients.add_end_user, name="add_end_user"),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/", clients.edit_end_user,
        name="edit_end_user",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/deactivate/", clients.deactivate_end_user,
        name="end_user_deactivate",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/reactivate/", clients.reactivate_end_user,
        name="end_user_reactivate",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/unlock/", clients.unlock_end_user,
        name="end_user_unlock",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/invite/", clients.invite_end_user,
        name="end_user_invite",
    ),
    # Admin > Activity
    path("manage/activity/", activity.activity, name="activity"),
    path("manage/activity/export.csv", activity.export_activity, name="activity_export"),
]
