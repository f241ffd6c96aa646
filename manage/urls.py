"""Admin > Manage Employees, Manage Clients, Activity and Security overview, and the
person's Security page."""

from django.urls import path

from manage.views import (
    activity,
    clients,
    employees,
    factors,
    overview,
    phone_changes,
    security,
)

urlpatterns = [
    path("security/", security.security, name="security"),
    path("security/sign-out-others/", security.sign_out_other_sessions,
         name="sign_out_other_sessions"),
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
    # Admin > Security overview
    path("manage/security-overview/", overview.security_overview, name="security_overview"),
    path("manage/security-overview/people/<int:person_id>/remind/", overview.remind,
         name="remind_to_set_up"),
    # Lost phones, the admin's side
    path("manage/phone-changes/<uuid:request_id>/approve/",
         phone_changes.decide_phone_change, {"decision": "approve"},
         name="approve_phone_change"),
    path("manage/phone-changes/<uuid:request_id>/reject/",
         phone_changes.decide_phone_change, {"decision": "reject"}, name="reject_phone_change"),
    path("manage/people/<int:person_id>/factors/<slug:method>/<str:factor_id>/remove/",
         factors.remove_factor, name="remove_factor"),
    path("manage/people/<int:person_id>/reset-second-factor/",
         phone_changes.reset_second_factor, name="reset_second_factor"),
]
