"""SMS backends: how the `local` provider delivers the texts it makes (SMS_BACKEND)."""
