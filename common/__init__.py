"""What every service of the programme platform shares: envelope, outbox, consumer, auth, health."""
