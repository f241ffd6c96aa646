"""Sign in by email. Loads the person with their firm in one query: every employee's page
and the second-factor policy read the firm. An end user's client is read only where it is
needed (their pages, their policy), so the employees' pages do not pay for its join."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class EmailBackend(ModelBackend):
    """ModelBackend by email. For an unknown email it still runs the password hasher
    (ModelBackend does), and an inactive person is refused only after the hasher ran."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User.objects.select_related("firm").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
