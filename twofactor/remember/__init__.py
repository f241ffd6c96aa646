"""Remembered browsers: "Don't ask again on this browser for 30 days".

Not a way of answering (nothing is offered on the challenge page): a sign-in skip. A
remembered browser skips the second step at the password step (``twofactor.signin.flow``,
after the password, never instead of it), and the Security page lists such browsers under
"Remembered browsers" with "Forget". Its own firm setting ("Allow remembering a browser for
30 days") decides whether it may be used.
"""

from accounts.audit import Tag

AUDIT_TAGS = (Tag.BROWSER_REMEMBERED, Tag.BROWSER_FORGOTTEN)
SECURITY_TEMPLATE = "twofactor/remember/security.html"
