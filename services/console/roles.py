"""The console's people and what each role may do (mirrors what the APIs allow)."""

ROLES = ("admin", "coordinator", "facilitator", "viewer")
LANGUAGES = ("en", "ur")

# What the APIs let each role do; the console offers nothing beyond it.
CAN = {
    "manage_accounts": {"admin"},
    "plan": {"admin", "coordinator"},
    "read_plans": {"admin", "coordinator"},
    "see_names": {"admin", "coordinator"},
    "manage_officers": {"admin", "coordinator"},
    "record_attendance": {"admin", "coordinator", "facilitator"},
    "see_indicators": {"admin", "coordinator", "viewer"},
    "see_reports": {"admin", "coordinator", "viewer"},
    "manage_certificates": {"admin", "coordinator"},
    "see_notifications": {"admin", "coordinator"},
    "operate": {"admin"},
}


def can(role: str | None, action: str) -> bool:
    return role in CAN[action]
