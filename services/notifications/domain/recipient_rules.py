"""Who a recipient is to notifications: her language, and which of her fields are contact."""

LANGUAGES = ("en", "ur")
CONTACT_FIELDS = ("given_name", "family_name", "email", "phone")


def language(preferred: str | None) -> str:
    """Her preferred language if a template set exists for it, else English."""
    return preferred if preferred in LANGUAGES else "en"
