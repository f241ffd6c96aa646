"""Authenticator apps (TOTP, RFC 6238): a code from the app, typed into "Token or Security
Key", checked here without any provider."""
