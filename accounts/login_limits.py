"""Password guessing. Only wrong passwords count: each try is counted before the password is
checked (so parallel guesses cannot slip past a cap) and refunded when it was right.

At sign-in, three buckets: the account from one client address (``login.account_address``),
the account from every address (``login.account``, which a browser that signed in to the
account before skips, so guessing elsewhere cannot lock the owner out), and the client address
across accounts (``login.ip``, credential stuffing).

"Confirm your password" (and "Change password") of a signed-in session has its own count on
the session's row, not the sign-in buckets: ``REAUTH_WRONG_PASSWORDS_ALLOWED`` wrong
passwords end that session.
"""

from django.db.models import F
from django.http import HttpRequest

from accounts import known_browsers, sessions
from accounts.models import UserSession
from portal import limits
from portal.conf import conf
from portal.request_info import client_ip


def reserve_password_guess(request: HttpRequest, email: str) -> limits.Reservation:
    """Count a sign-in password try; refund it if the password is right. Raises
    ``limits.RateLimited`` (counting nothing) when a bucket is full."""
    address = client_ip(request)
    buckets: list[tuple[str, object]] = [
        ("login.ip", address),
        ("login.account_address", f"{email} {address}"),
    ]
    if not known_browsers.is_known(request, email):
        buckets.append(("login.account", email))
    return limits.reserve(buckets)


class ReauthGuess:
    """One password try of a signed-in session, counted on its row before the check."""

    def __init__(self, request: HttpRequest) -> None:
        self._rows = UserSession.objects.filter(
            pk=sessions.current_id(request), user=request.user
        )
        # Conditional increment: atomic on every database, and never past the cap.
        self.allowed = bool(
            self._rows.filter(wrong_passwords__lt=conf.REAUTH_WRONG_PASSWORDS_ALLOWED).update(
                wrong_passwords=F("wrong_passwords") + 1
            )
        )

    def refund(self) -> None:
        """The password was right (or never checked): the try does not count."""
        if self.allowed:
            self._rows.filter(wrong_passwords__gt=0).update(
                wrong_passwords=F("wrong_passwords") - 1
            )

    def used_up(self) -> bool:
        """Wrong passwords have reached the cap (or the session has no row to count on)."""
        if not self.allowed:
            return True
        left = self._rows.filter(wrong_passwords__lt=conf.REAUTH_WRONG_PASSWORDS_ALLOWED)
        return not left.exists()
