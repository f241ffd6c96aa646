"""Every URL of signing in past the password, in one place.

Names stay as people's bookmarks and the templates know them: ``login``, the challenge
pages under ``twofactor:``, lost phones under ``recovery:``, and the provider callbacks.
"""

from django.urls import include, path

from twofactor.methods.backup_codes import views as backup_codes
from twofactor.methods.push import callbacks, enrollment, security
from twofactor.methods.push import views as push
from twofactor.methods.remember import views as remember
from twofactor.methods.security_key import views as security_key
from twofactor.methods.sms import views as sms
from twofactor.methods.totp import views as totp
from twofactor.views import challenge, confirm, default_method, login, own_number, recovery

challenge_patterns = (
    [
        path("verify/", challenge.challenge, name="challenge"),
        path("verify/sms/", sms.send_sms, name="send_sms"),
        path("verify/push/", push.new_push, name="new_push"),
        path("verify/status/", push.status, name="status"),
        path("verify/key/options/", security_key.key_options, name="key_options"),
        path("verify/key/", security_key.key_answer, name="key_answer"),
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
    path("login/passkey/options/", security_key.passkey_options, name="passkey_options"),
    path("login/passkey/", security_key.passkey_answer, name="passkey_answer"),
    path("", include(recovery_patterns)),
    path("twofactor/callbacks/authy/", callbacks.authy_callback, name="authy_callback"),
    path("twofactor/callbacks/twilio/", callbacks.twilio_callback, name="twilio_callback"),
    path("twofactor/push/enrollment/", enrollment.push_enrollment, name="push_enrollment"),
    path("security/push-apps/<str:factor_id>/remove/", security.remove_push_app,
         name="remove_push_app"),
    path("security/backup-codes/", backup_codes.make_backup_codes, name="backup_codes"),
    path("security/keys/add/", security_key.add_key_page, name="security_key_add"),
    path("security/keys/add/options/", security_key.add_key_options,
         name="security_key_add_options"),
    path("security/keys/add/finish/", security_key.add_key_finish,
         name="security_key_add_finish"),
    path("security/keys/<int:pk>/remove/", security_key.remove_key, name="security_key_remove"),
    path("security/authenticator-app/", totp.set_up, name="totp_setup"),
    path("security/authenticator-app/qr.svg", totp.qr_code, name="totp_qr"),
    path("security/authenticator-app/remove/", totp.remove, name="totp_remove"),
    path("security/phone/", own_number.change_own_number, name="change_own_number"),
    path("security/confirm/", confirm.confirm_identity, name="confirm_identity"),
    path("security/remembered-browsers/<int:browser_id>/forget/", remember.forget_browser,
         name="forget_browser"),
    path("security/default-method/", default_method.choose, name="choose_default_method"),
    path("email/push/<uuid:approval_id>/not-me/<str:token>/", push.not_me, name="push_not_me"),
    path("dev/phone/", include("twofactor.phone_sim.urls")),
]
