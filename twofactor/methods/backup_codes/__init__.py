"""Backup codes: ten one-time codes on paper, typed into "Token or Security Key"."""
