"""Push: a OneTouch request to the phone, approved or denied there: in the provider's app
(Authy, Twilio Verify, the simulated phone) on the registered number, and in the Partner
Portal app (``portal_app``) on every phone paired with it. One request, one number; the
first answer wins."""

from __future__ import annotations

from twofactor.methods import Factor, Method
from twofactor.methods.push import tags


class PushMethod(Method):
    name = "push"
    label = "Push"
    noun = "a push approval"
    reset_words = ("the phone apps that approve push requests (at the verification service, "
                   "and phones with the Partner Portal app)")
    typed = False
    uses_phone = True
    through_provider = True
    instead = "Approve the OneTouch request on your phone instead."
    sent_as = "OneTouch requests to {app}"
    signed_in_words = "by approving on the phone"
    challenge_template = "twofactor/methods/push/challenge.html"
    security_template = "twofactor/methods/push/security.html"
    device_models = ("twofactor.phonedevice", "portal_app.appphone")
    audit_words = tags.WORDS
    sign_in_results = {
        tags.PushTag.PUSH_DENIED: ("push", "denied"),
        tags.PushTag.PUSH_EXPIRED: ("push", "expired"),
    }

    posted_action = "check"  # "I approved it" without JavaScript, or the page's script
    set_up_url = "portal_app_set_up"
    set_up_label = "The Partner Portal app on your phone"
    set_up_help = ("Open a link on your phone (scan the QR code), add the phone there and type "
                   "the code it shows. Then approve each sign-in with one tap.")
    set_up_order = 0  # first: nothing to buy or install from a store

    def answer_posted(self, request, attempt):
        from twofactor.methods.push import answers, approvals

        return answers.accept_approval(attempt, approvals.latest_of(attempt), request)

    def usable(self, user) -> bool:
        from twofactor.methods.push.portal_app import phones

        return bool(user.phone) or phones.has_phone(user)

    def paused(self, user) -> str:
        from twofactor.methods.push import approvals

        until = approvals.paused_until(user)
        return approvals.PushPaused(until).message if until else ""

    def set_up_among(self, user_ids) -> set[int]:
        from twofactor import registration
        from twofactor.methods.push.portal_app import phones

        # One query: the registered numbers' owners, with the app's phones' owners.
        return set(registration.registered_ids(user_ids).union(phones.among_ids(user_ids)))

    def challenge_context(self, request, attempt) -> dict:
        from twofactor.methods.push import views

        return views.challenge_context(request, attempt)

    def security_context(self, request) -> dict:
        from twofactor.methods.push import security
        from twofactor.methods.push.portal_app import views

        return {**security.security_context(request), **views.security_context(request)}

    def at_password_step(self, request, attempt) -> None:
        from twofactor.methods.push import sending

        sending.push_at_password_step(request, attempt)

    def attempt_closed(self, attempt_id, by) -> None:
        from twofactor.methods.push import approvals

        if by != self.name:
            approvals.withdraw(attempt_id)  # a late approval on the phone must do nothing

    def removable(self, user) -> list[Factor]:
        from twofactor.methods.push import factors

        return factors.removable(user)

    def remove(self, user, factor_id: str) -> bool:
        from twofactor.methods.push import factors

        return factors.remove(user, factor_id)

    def reset(self, person) -> dict[str, int]:
        from twofactor.methods.push.portal_app import phones
        from twofactor.providers import get_provider

        provider = get_provider()
        removed = sum(
            provider.delete_push_factor(person, app.id) for app in provider.push_factors(person)
        )
        return {"push_apps_removed": removed,
                "app_phones_removed": phones.remove_all(person, "reset")}

    def phone_lost(self, person) -> None:
        from twofactor.methods.push.portal_app import phones

        phones.remove_all(person, "phone lost")  # which one was lost is not known: all go

    def deactivated(self, person) -> None:
        from twofactor.methods.push.portal_app import phones

        phones.remove_all(person, "deactivated")
