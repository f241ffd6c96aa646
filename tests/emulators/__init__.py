"""Loopback servers standing in for the Authy API and Twilio Verify in tests and demos."""
