from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    """Enrolment windows and the emailed codes of a first sign-in (their own tables, so
    the migrations only add)."""

    name = "twofactor.enrolment"
    label = "enrolment"
    verbose_name = "First sign-in set-up"

    def ready(self) -> None:
        from accounts import audit
        from twofactor.enrolment import tags

        audit.describe_tags("Second factor", tags.WORDS)
