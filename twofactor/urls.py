"""Every URL of signing in past the password, in one place.

Names stay as people's bookmarks and the templates know them: ``login``, the challenge
pages under ``twofactor:``, lost phones under ``recovery:``, and the provider callbacks.
"""

from django.urls import include, path

from twofactor.methods.backup_codes import views as backup_codes
from twofactor.methods.push import callbacks, enrollment
from twofactor.methods.push import views as push
from twofactor.methods.sms import views as sms
from twofactor.methods.totp import views as totp
from twofactor.views import challenge, login, own_number, recovery

challenge_patterns = (
    [
        path("verify/", challenge.challenge, name="challenge"),
        path("verify/sms/", sms.send_sms, name="send_sms"),
        path("verify/push/", push.new_push, name="new_push"),
        path("verify/status/", push.status, name="status"),
        path("help/", challenge.help_page, name="help"),
    ],
    "twofactor",
)

recovery_patterns = (
    [
        path("login/recovery/", recovery.recovery_page, name="start"),
        path("login/recovery/code/", recovery.prove_code, name="prove"),
        path("login/recovery/resend/", recovery.resend, name="resend"),
        path("login/recovery/cancel/", recovery.cancel_own, name="cancel"),
        path("email/phone-change/<uuid:request_id>/confirm/<str:token>/",
             recovery.email_confirm, name="email_confirm"),
        path("email/phone-change/<uuid:request_id>/cancel/<str:token>/",
             recovery.email_cancel, name="email_cancel"),
    ],
    "recovery",
)

urlpatterns = [
    path("login/", login.login_view, name="login"),
    path("login/", include(challenge_patterns)),
    path("", include(recovery_patterns)),
    path("twofactor/callbacks/authy/", callbacks.authy_callback, name="authy_callback"),
    path("twofactor/callbacks/twilio/", callbacks.twilio_callback, name="twilio_callback"),
    path("twofactor/push/enrollment/", enrollment.push_enrollment, name="push_enrollment"),
    path("security/backup-codes/", backup_codes.make_backup_codes, name="backup_codes"),
    path("security/authenticator-app/", totp.set_up, name="totp_setup"),
    path("security/authenticator-app/qr.svg", totp.qr_code, name="totp_qr"),
    path("security/authenticator-app/remove/", totp.remove, name="totp_remove"),
    path("security/phone/", own_number.change_own_number, name="change_own_number"),
    path("dev/phone/", include("twofactor.phone_sim.urls")),
]
