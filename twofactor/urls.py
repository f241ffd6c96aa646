"""Every URL of signing in past the password: the core's here, each method's from its own
``urls`` module (its ``challenge_urlpatterns`` under ``/login/`` in the ``twofactor``
namespace, its ``urlpatterns`` at the top), in the registry's order.

Names stay as people's bookmarks and the templates know them: ``login``, the challenge
pages under ``twofactor:``, lost phones under ``recovery:``, and the provider callbacks.
"""

from django.urls import include, path

from twofactor import methods
from twofactor.enrolment import views as first_sign_in
from twofactor.remember import views as remember
from twofactor.views import challenge, confirm, default_method, login, own_number, recovery

challenge_patterns = (
    [
        path("verify/", challenge.challenge, name="challenge"),
        path("help/", challenge.help_page, name="help"),
        path("set-up/", first_sign_in.set_up_first, name="set_up_first"),
        *(pattern for method in methods.registry() for pattern in method.challenge_urls()),
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
    *(pattern for method in methods.registry() for pattern in method.urls()),
    path("security/phone/", own_number.change_own_number, name="change_own_number"),
    path("security/confirm/", confirm.confirm_identity, name="confirm_identity"),
    path("security/remembered-browsers/<int:browser_id>/forget/", remember.forget_browser,
         name="forget_browser"),
    path("security/default-method/", default_method.choose, name="choose_default_method"),
    path("dev/phone/", include("twofactor.phone_sim.urls")),
]
