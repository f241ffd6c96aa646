"""Apply phone-number changes whose hold has passed. Safe to run every minute from cron or
a systemd timer: each change is claimed by a locked, conditional update, so two runs at
once (or one after the other) apply it once."""

from django.core.management.base import BaseCommand

from twofactor.recovery import phone_changes


class Command(BaseCommand):
    help = "Apply self-service phone-number changes whose hold has passed."

    def handle(self, *args, **options) -> None:
        applied = phone_changes.apply_due()
        if applied or options["verbosity"] > 1:
            plural = "" if applied == 1 else "s"
            self.stdout.write(f"Applied {applied} phone number change{plural}.")
