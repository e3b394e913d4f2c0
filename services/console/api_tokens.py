"""The short-lived bearer token the console sends to the APIs on behalf of one person."""

from common.auth import mint
from common.config import ConsoleSettings


def token_for(settings: ConsoleSettings, account: dict) -> str:
    """A token carrying the person's role (and facilitator id), valid for a few minutes."""
    return mint(settings.jwt_secret, f"console:{account['_id']}", [account["role"]],
                settings.api_token_ttl_s, settings.jwt_audience, settings.jwt_issuer,
                facilitator_id=account.get("facilitator_id") if account["role"] == "facilitator"
                else None)
