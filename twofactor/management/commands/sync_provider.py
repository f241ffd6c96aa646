"""python manage.py sync_provider: register every person's phone with the configured provider.

For switching providers (or after a provider lost its records): idempotent, a phone already
registered with this provider under the same number is left alone unless ``--force``. One
person's failure does not stop the others; the summary says who failed and why.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from twofactor.providers import get_provider
from twofactor.providers.base import ProviderError
from twofactor.registration import phone_device, register_phone


class Command(BaseCommand):
    help = "Register every person's mobile number with the configured provider (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Register again even if already registered."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; change nothing."
        )

    def handle(self, *args: Any, force: bool, dry_run: bool, **options: Any) -> None:
        provider = get_provider()
        people = list(User.objects.filter(is_active=True).exclude(phone="").order_by("pk"))
        counts = {"registered": 0, "already registered": 0, "failed": 0}
        self.stdout.write(f"Registering {len(people)} phone(s) with {provider.name}.")
        for number, person in enumerate(people, start=1):
            device = phone_device(person)
            if not force and device and device.is_registered_for(person.phone, provider.name):
                outcome = "already registered"
            elif dry_run:
                outcome = "registered"
                self.stdout.write(f"[{number}/{len(people)}] {person.email}: would register")
                counts[outcome] += 1
                continue
            else:
                try:
                    register_phone(person)
                    outcome = "registered"
                except ProviderError as error:
                    outcome = "failed"
                    self.stderr.write(
                        f"[{number}/{len(people)}] {person.email}: failed: {error.user_message}"
                        + (f" (code {error.code})" if error.code else "")
                    )
                    counts[outcome] += 1
                    continue
            counts[outcome] += 1
            self.stdout.write(f"[{number}/{len(people)}] {person.email}: {outcome}")
        summary = ", ".join(f"{count} {what}" for what, count in counts.items())
        if dry_run:
            summary = "Dry run, nothing changed: " + summary.replace("registered", "to register", 1)
        if counts["failed"]:
            raise CommandError(f"{summary}. Run again to retry the failed ones.")
        self.stdout.write(self.style.SUCCESS(summary + "."))
