"""Sign in by email. Loads the person with their firm and client in one query, so the
second-factor middleware can read the firm's policy without another."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class EmailBackend(ModelBackend):
    """ModelBackend by email. For an unknown email it still runs the password hasher
    (ModelBackend does), and an inactive person is refused only after the hasher ran."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User.objects.select_related("firm", "client").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
