"""Push's URLs: a new request and the status the challenge page polls, the provider
callbacks, the phone app's enrolment and removal, the Partner Portal app's API and
Security pages, and the "This wasn't me" email link."""

from django.urls import path

from twofactor.methods.push import callbacks, enrollment, security, views
from twofactor.methods.push.portal_app import urls as portal_app

challenge_urlpatterns = [
    path("verify/push/", views.new_push, name="new_push"),
    path("verify/status/", views.status, name="status"),
]
urlpatterns = [
    path("twofactor/callbacks/authy/", callbacks.authy_callback, name="authy_callback"),
    path("twofactor/callbacks/twilio/", callbacks.twilio_callback, name="twilio_callback"),
    path("twofactor/push/enrollment/", enrollment.push_enrollment, name="push_enrollment"),
    path("security/push-apps/<str:factor_id>/remove/", security.remove_push_app,
         name="remove_push_app"),
    path("email/push/<uuid:approval_id>/not-me/<str:token>/", views.not_me, name="push_not_me"),
    *portal_app.urlpatterns,  # the Partner Portal app: its API and the Security page's part
]
