"""Channels that deliver a message (email over SMTP; more by configuration)."""
