"""Notifications: confirmations, invitations, changes and reminders to participants."""
