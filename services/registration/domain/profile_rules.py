"""An officer's profile: the keys that find duplicates, and what a change writes."""

from collections.abc import Callable

from services.registration.domain.errors import InvalidFieldError


def email_key(email: str) -> str:
    return email.strip().lower()


def agency_key(name: str) -> str:
    """An agency's name as compared: spacing and case do not matter."""
    return " ".join(name.split()).casefold()


def initials(profile: dict) -> str:
    """"A. K." for Ayesha Khan: what events carry instead of her names."""
    return " ".join(f"{n.strip()[0].upper()}." for n in (
        profile["given_name"], profile["family_name"]) if n and n.strip())


def changed_fields(current: dict, changes: dict, agency: str | None,
                   identity: Callable[[str, str | None], dict]) -> dict:
    """The fields a change writes: ``agency`` is the listed spelling when it changes, and
    ``identity(agency, service_number)`` the keyed identity when the number is given again."""
    sets = {k: v for k, v in changes.items() if k != "service_number"}
    if agency is not None:
        sets["agency"] = agency
    if "email" in changes:
        sets["email_key"] = email_key(changes["email"])
    new_agency = sets.get("agency", current["agency"])
    if "service_number" in changes:
        sets.update(identity(new_agency, changes["service_number"]))
    elif new_agency != current["agency"] and current.get("has_service_number"):
        raise InvalidFieldError("service_number", "give the service number again when the "
                                "agency changes: only a keyed hash of both is kept")
    return sets
