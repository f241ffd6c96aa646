"""python manage.py seed_demo [--password P]: the demo data, idempotent."""

from django.core.management.base import BaseCommand

from manage import demo


class Command(BaseCommand):
    help = "Create the demo firms, clients and people (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password for every demo person (default {demo.DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password: str | None, **options) -> None:
        changes = demo.seed(
            password or demo.DEFAULT_PASSWORD, reset_password=bool(password), register=True
        )
        for line in changes:
            self.stdout.write(f"  {line}")
        if changes:
            self.stdout.write(self.style.SUCCESS(f"Demo data: {len(changes)} change(s) made."))
        else:
            self.stdout.write("Demo data already in place: nothing changed.")
