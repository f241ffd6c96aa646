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
    path("security/backup-codes/", security.make_backup_codes, name="backup_codes"),
    path("security/sign-out-others/", security.sign_out_other_sessions,
         name="sign_out_other_sessions"),
    # Setting a password from an email link (never signs anyone in).
    path("password/forgot/", passwords.forgot_password, name="password_forgot"),
    path("email/invitation/<uidb64>/<token>/", passwords.accept_invitation, name="invitation"),
    path("email/password-reset/<uidb64>/<token>/", passwords.reset_password, name="password_reset"),
    # Admin > Manage Employees
    path("manage/employees/", employees.manage_employees, name="manage_employees"),
    path("manage/employees/add/", employees.add_employee, name="add_employee"),
    path("manage/employees/<int:pk>/", employees.edit_employee, name="edit_employee"),
    path(
        "manage/employees/<int:pk>/deactivate/",
        employees.deactivate_employee,
        name="employee_deactivate",
    ),
    path(
        "manage/employees/<int:pk>/<slug:action>/",
        employees.employee_action,
        name="employee_action",
    ),
    # Admin > Manage Clients
    path("manage/clients/", clients.manage_clients, name="manage_clients"),
    path("manage/clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("manage/clients/<int:client_pk>/users/add/", clients.add_end_user, name="add_end_user"),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/",
        clients.edit_end_user,
        name="edit_end_user",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/deactivate/",
        clients.deactivate_end_user,
        name="end_user_deactivate",
    ),
    path(
        "manage/clients/<int:client_pk>/users/<int:pk>/<slug:action>/",
        clients.end_user_action,
        name="end_user_action",
    ),
    # Admin > Activity
    path("manage/activity/", activity.activity, name="activity"),
    path("manage/activity/export.csv", activity.export_activity, name="activity_export"),
]
