"""Lost phones: the person's recovery pages, the email links, and the admin's actions."""

from django.urls import path

from twofactor import manage_views, recovery_views

app_name = "recovery"

urlpatterns = [
    path("login/recovery/", recovery_views.recovery_page, name="start"),
    path("login/recovery/code/", recovery_views.prove_code, name="prove"),
    path("login/recovery/resend/", recovery_views.resend, name="resend"),
    path("login/recovery/cancel/", recovery_views.cancel_own, name="cancel"),
    path("email/phone-change/<uuid:request_id>/confirm/<str:token>/",
         recovery_views.email_confirm, name="email_confirm"),
    path("email/phone-change/<uuid:request_id>/cancel/<str:token>/",
         recovery_views.email_cancel, name="email_cancel"),
    path("manage/phone-changes/<uuid:request_id>/approve/",
         manage_views.decide_phone_change, {"decision": "approve"}, name="approve"),
    path("manage/phone-changes/<uuid:request_id>/reject/",
         manage_views.decide_phone_change, {"decision": "reject"}, name="reject"),
    path("manage/people/<int:person_id>/reset-second-factor/",
         manage_views.reset_second_factor, name="reset"),
]
