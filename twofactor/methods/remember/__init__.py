"""Remembered browsers: "Don't ask again on this browser for 30 days".

Not a way of answering on the challenge page (``usable`` is always False): a remembered
browser skips the second step at the password step (``twofactor.signin.flow.begin``), and
the Security page lists such browsers under "Remembered browsers" with "Forget".
"""

from accounts.audit import Tag
from twofactor.methods import Method

METHOD = Method(
    name="remembered_browser",
    label="Remembered browser",
    usable=lambda user: False,
    preferable=False,
    in_policy=False,  # its own firm setting: "Allow remembering a browser for 30 days"
    security_template="twofactor/methods/remember/security.html",
    security_context="twofactor.methods.remember.views.security_context",
    audit_tags=(Tag.BROWSER_REMEMBERED, Tag.BROWSER_FORGOTTEN),
)
