"""Security keys and passkeys (WebAuthn): the phishing-resistant way, so it comes first.

A key answers on its own part of the challenge page ("Use a security key"), above the typed
field; a passkey (a discoverable key with user verification) can also sign in from the
login page where the firm or client allows it ("Sign in with a passkey").
"""
