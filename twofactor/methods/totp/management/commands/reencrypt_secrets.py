"""Re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY, after a rotation.

Put the new key first in FIELD_ENCRYPTION_KEY, keep the old ones after it, deploy, run
this, then drop the old keys (docs/configuration.md, "Rotating FIELD_ENCRYPTION_KEY").
"""

from django.core.management.base import BaseCommand

from twofactor.methods.totp import authenticator


class Command(BaseCommand):
    help = "Re-encrypt authenticator-app secrets with the newest FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options) -> None:
        count = authenticator.reencrypt_all()
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")
