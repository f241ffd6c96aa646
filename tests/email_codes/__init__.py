"""Email codes: a sign-in method that exists only in the tests, registered in
``tests/settings.py`` and nowhere else. It proves the seam: a code emailed at the password
step (or on "Email me a code"), typed into "Token or Security Key", signs a person in; it
appears on the Security page and among a firm's allowed ways; a reset removes it. No module
of the portal names it (docs/methods.md walks through it)."""
