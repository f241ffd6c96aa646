"""python manage.py run_emulator authy|twilio_verify|web_push: a service on 127.0.0.1, offline.

Serves the loopback Authy API or Twilio Verify emulator from ``emulators/`` so a
newcomer can try a real provider's journeys end to end without an account. It prints the
settings to start the portal with, every text "sent" (with its token) and every approval
request, and reads commands: ``approve N``, ``deny N``, ``list``, ``quit``.

``web_push`` serves the loopback Web Push service instead: ``subscribe`` prints a
subscription (what a browser's ``subscription.toJSON()`` gives) whose endpoint the portal
accepts in development, and each push it receives is printed decrypted.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve a loopback Authy API or Twilio Verify on 127.0.0.1 for trying providers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", choices=["authy", "twilio_verify", "web_push"])
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--callback-url",
            default="",
            help="Post signed answers here, e.g. http://127.0.0.1:8000/twofactor/callbacks/authy/",
        )

    def handle(
        self, *args: Any, provider: str, port: int, callback_url: str, **options: Any
    ) -> None:
        try:
            from emulators.authy import AuthyEmulator
            from emulators.twilio_verify import TwilioVerifyEmulator
            from emulators.web_push import WebPushService
        except ImportError as error:  # a deployment without the emulators folder
            raise CommandError("The emulators live in emulators/, not found here.") from error
        emulator = {
            "authy": AuthyEmulator, "twilio_verify": TwilioVerifyEmulator,
            "web_push": WebPushService,
        }[provider]()
        try:
            emulator.start(port)
        except OSError as error:
            raise CommandError(
                f"Port {port} on 127.0.0.1 is taken ({error}); use --port."
            ) from None
        report, commands = self._report, self._commands
        if provider == "web_push":
            report, commands = self._report_pushes, self._push_commands
            self._print_push_help(emulator)
        else:
            self._print_settings(emulator, provider)
        stop = threading.Event()
        threading.Thread(target=report, args=(emulator, stop), daemon=True).start()
        try:
            commands(emulator, provider, callback_url)
        except (KeyboardInterrupt, EOFError):
            pass
        finally:
            stop.set()
            emulator.stop()
            self.stdout.write("Emulator stopped.")

    def _print_settings(self, emulator: Any, provider: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"{provider} emulator on {emulator.base_url}"))
        self.stdout.write("Start the portal in another terminal with:")
        if provider == "authy":
            env = (
                f"TWOFACTOR_PROVIDER=authy AUTHY_API_URL={emulator.base_url} "
                f"AUTHY_API_KEY={emulator.api_key}"
            )
        else:
            env = (
                f"TWOFACTOR_PROVIDER=twilio_verify TWILIO_VERIFY_BASE_URL={emulator.base_url} "
                f"TWILIO_ACCOUNT_SID={emulator.account_sid} "
                f"TWILIO_AUTH_TOKEN={emulator.auth_token} "
                f"TWILIO_VERIFY_SERVICE_SID={emulator.service_sid}"
            )
        self.stdout.write(f"  {env} python manage.py runserver")
        self.stdout.write("then `python manage.py sync_provider` once, and sign in.")
        if provider == "twilio_verify":
            self.stdout.write(
                "Push needs an enrolled app: `enroll user-00000001` stands in for it."
            )
        self.stdout.write("Commands: list, approve N, deny N, enroll IDENTITY, quit.")

    def _pending(self, emulator: Any) -> list[str]:
        table = getattr(emulator, "approvals", None) or getattr(emulator, "challenges", {})
        return [ref for ref in list(table) if emulator.status_of(ref) == "pending"]

    def _report(self, emulator: Any, stop: threading.Event) -> None:
        texts_seen, requests_seen = 0, set()
        while not stop.wait(0.5):
            texts = list(emulator.outbox)
            for who, token in texts[texts_seen:]:
                self.stdout.write(f"SMS to {who}: your token is {token}")
            texts_seen = len(texts)
            for number, ref in enumerate(self._pending(emulator), start=1):
                if ref not in requests_seen:
                    requests_seen.add(ref)
                    self.stdout.write(
                        f"Approval request {number} pending: {ref}, number to match "
                        f"{emulator.number_to_match(ref) or 'none'} (approve {number})"
                    )

    def _commands(self, emulator: Any, provider: str, callback_url: str) -> None:
        for line in sys.stdin:
            word, _, argument = line.strip().partition(" ")
            pending = self._pending(emulator)
            if word == "quit":
                return
            if word == "list":
                for number, ref in enumerate(pending, start=1):
                    self.stdout.write(
                        f"  {number}: {ref}, number to match {emulator.number_to_match(ref)}"
                    )
                if not pending:
                    self.stdout.write("  nothing pending")
            elif (
                word in ("approve", "deny")
                and argument.isascii() and argument.isdigit()
                and 0 < int(argument) <= len(pending)
            ):
                ref = pending[int(argument) - 1]
                getattr(emulator, word)(ref)
                self.stdout.write(f"  {ref}: {emulator.status_of(ref)}")
                if callback_url:
                    self._post_answer(emulator, provider, callback_url, ref)
            elif word == "enroll" and provider == "twilio_verify" and argument:
                self.stdout.write(
                    f"  push factor {emulator.enroll_device(argument)} for {argument}"
                )
            else:
                self.stdout.write("  commands: list, approve N, deny N, enroll IDENTITY, quit")

    def _post_answer(self, emulator: Any, provider: str, url: str, ref: str) -> None:
        post = emulator.post_callback if provider == "authy" else emulator.post_webhook
        try:
            self.stdout.write(f"  callback: HTTP {post(url, ref).status_code}")
        except OSError as error:
            self.stdout.write(f"  callback failed: {error}")

    # -- web_push ---------------------------------------------------------------------------

    def _print_push_help(self, service: Any) -> None:
        self.stdout.write(self.style.SUCCESS(f"Web Push service on {service.base_url}"))
        self.stdout.write(
            "The portal in development (DEBUG=1) sends to its http:// endpoints; each push "
            "received is printed here, decrypted."
        )
        self.stdout.write("Commands: subscribe, list, quit.")

    def _report_pushes(self, service: Any, stop: threading.Event) -> None:
        seen = 0
        while not stop.wait(0.5):
            messages = service.messages()
            for message in messages[seen:]:
                self.stdout.write(
                    f"Push to {message.endpoint}: {message.payload!r} (TTL {message.ttl}, "
                    f"Urgency {message.urgency}, Topic {message.topic}, "
                    f"aud {message.claims.get('aud')}, sub {message.claims.get('sub')})"
                )
            seen = len(messages)

    def _push_commands(self, service: Any, provider: str, callback_url: str) -> None:
        for line in sys.stdin:
            word = line.strip()
            if word == "quit":
                return
            if word == "subscribe":
                self.stdout.write("  " + json.dumps(service.new_subscription()))
            elif word == "list":
                self.stdout.write(f"  {len(service.messages())} pushes received")
            else:
                self.stdout.write("  commands: subscribe, list, quit")
