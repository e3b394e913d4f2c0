"""Registration's list of agencies, asked for over HTTP when a series names some.

Registration owns the list (coordinators add and retire agencies there); a series open only to
some agencies must name listed ones, or its cohort could never be enrolled. Only series
creation asks, so no copy is kept here.
"""

import requests

from common.auth import mint
from common.config import Settings, service_url
from services.sessions.domain.errors import InvalidDetailsError

PAGE_SIZE = 100
TOKEN_SECONDS = 60


class AgencyListUnavailableError(Exception):
    """Registration did not answer: nothing was written (HTTP 503)."""


def _key(name: str) -> str:
    # Registration's own rule (agencies.name_key): spacing and case do not make a new agency.
    return " ".join(name.split()).casefold()


def listed(settings: Settings) -> dict[str, str]:
    """Every agency registration lists, retired ones too (their officers are still enrolled):
    {key: listed spelling}."""
    base = service_url("registration")
    token = mint(settings.jwt_secret, f"{settings.service}-service", ["service"], TOKEN_SECONDS,
                 settings.jwt_audience, settings.jwt_issuer)
    found, page = {}, 1
    try:
        while True:
            answer = requests.get(f"{base}/agencies", params={"page": page,
                                                             "page_size": PAGE_SIZE},
                                  headers={"Authorization": f"Bearer {token}"}, timeout=3)
            answer.raise_for_status()
            batch = answer.json()
            found.update({_key(a["name"]): a["name"] for a in batch})
            if len(batch) < PAGE_SIZE:
                return found
            page += 1
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise AgencyListUnavailableError(type(exc).__name__) from None


def eligibility_with_listed_agencies(settings: Settings, eligibility: dict | None) -> dict | None:
    """The eligibility with each agency in its listed spelling; a 422 naming those not listed."""
    names = (eligibility or {}).get("agencies")
    if not names:
        return eligibility
    known = listed(settings)
    unknown = {index: ["not on registration's list of agencies (GET /agencies)"]
               for index, name in enumerate(names) if _key(name) not in known}
    if unknown:
        raise InvalidDetailsError({"eligibility": {"agencies": unknown}})
    return {**eligibility, "agencies": [known[_key(name)] for name in names]}
