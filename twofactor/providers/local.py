"""The ``local`` provider: nothing outside. Tokens are made and checked here; OneTouch
requests are answered on the simulated phone. For development, demos and tests, and for
real texts through any SMS backend."""

import secrets

from accounts.models import User
from twofactor import sms
from twofactor.conf import conf
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.providers import local_tokens as tokens
from twofactor.providers.base import ApprovalDetails, ApprovalStatus, Provider


class LocalProvider(Provider):
    name = "local"
    app_name = "the Partner Portal phone app"
    independent_methods = True
    polled_for_answers = False  # answers arrive through approvals.record_answer
    needs_no_outside_service = True
    answers_on_simulated_phone = True

    def register(self, user: User, phone: str, *, send_install_link: bool = False) -> str:
        return f"local:{user.pk}"

    def unregister(self, ref: str) -> None:
        return None

    def send_sms(self, user: User, ref: str, phone: str, *, attempt_id: str) -> None:
        attempt = SignInAttempt.objects.get(pk=attempt_id, user=user)
        token = tokens.issue(attempt)
        minutes = conf.TWOFACTOR_TOKEN_SECONDS // 60
        sms.send_sms(phone, f"Your Partner Portal token is {token}. It expires in {minutes} "
                            "minutes. Never share it: we will never ask for it.")

    def check_token(
        self, user: User, ref: str, phone: str, token: str, *, attempt_id: str
    ) -> bool:
        return tokens.consume(attempt_id, user.pk, token)

    def create_approval(self, user: User, ref: str, approval: ApprovalDetails) -> str:
        # The request lives only in the portal's own table; the simulated phone answers it.
        return secrets.token_hex(16)

    def approval_status(self, ref: str, request_ref: str) -> ApprovalStatus:
        status = (
            ApprovalRequest.objects.filter(provider=self.name, provider_ref=request_ref)
            .values_list("status", flat=True)
            .first()
        )
        return ApprovalStatus(status or ApprovalStatus.EXPIRED)
