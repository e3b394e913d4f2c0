"""Bearer JWT authentication with roles; operators mint tokens with `python -m common.auth`."""

import argparse
import functools
import sys
import time
import uuid
from dataclasses import dataclass

import jwt
from flask import current_app, g, request
from flask_smorest import abort

from common import idempotency

ROLES = ("admin", "coordinator", "facilitator", "service", "viewer")
ALGORITHM = "HS256"
LEEWAY_S = 5
# Tokens this process verified, with the window they are valid in: a client sends the same
# token with every request, and checking its signature and claims cost more than the rest of
# the request's own work. Bounded; emptied when full.
REMEMBERED_TOKENS = 4096
_verified: dict[tuple, tuple["Principal", float, float]] = {}


class AuthError(Exception):
    """The token is missing or cannot be trusted."""


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    facilitator_id: str | None = None  # a facilitator token's person in the sessions service

    def has_any(self, roles: tuple[str, ...]) -> bool:
        return "admin" in self.roles or bool(self.roles & set(roles))


MAX_TTL_S = 12 * 3600


def mint(secret: str, subject: str, roles: list[str], ttl_s: int = 8 * 3600,
         audience: str = "glo-act-platform", issuer: str = "glo-act-platform",
         max_ttl_s: int = MAX_TTL_S, facilitator_id: str | None = None) -> str:
    """A signed token for ``subject`` holding ``roles``, valid for ``ttl_s`` seconds."""
    if ttl_s > max_ttl_s:
        raise ValueError(f"a token may live at most {max_ttl_s} s ({max_ttl_s / 3600:g} h, "
                         "JWT_MAX_TTL_SECONDS); mint a shorter one")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; use {', '.join(ROLES)}")
    if "facilitator" in roles and not facilitator_id:
        raise ValueError("a facilitator token needs the facilitator_id it speaks for")
    now = int(time.time())
    claims = {"sub": subject, "roles": list(roles), "iat": now, "nbf": now, "exp": now + ttl_s,
              "aud": audience, "iss": issuer, "jti": str(uuid.uuid4())}
    if facilitator_id:
        claims["facilitator_id"] = facilitator_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify(token: str, secret: str, audience: str, issuer: str,
           max_ttl_s: int = MAX_TTL_S) -> Principal:
    """The principal a token speaks for; raises AuthError saying why it is refused."""
    return _verify(token, secret, audience, issuer, max_ttl_s)[0]


def verify_remembered(token: str, secret: str, audience: str, issuer: str,
                      max_ttl_s: int = MAX_TTL_S) -> Principal:
    """`verify`, once per token: later calls only check that it is still within its lifetime."""
    key = (token, secret, audience, issuer, max_ttl_s)
    remembered = _verified.get(key)
    if remembered is None:
        remembered = _verify(token, secret, audience, issuer, max_ttl_s)
        if len(_verified) >= REMEMBERED_TOKENS:
            _verified.clear()
        _verified[key] = remembered
    principal, valid_from, valid_until = remembered
    now = time.time()
    if now >= valid_until:
        _verified.pop(key, None)
        raise AuthError("token expired")
    if now < valid_from:
        raise AuthError("token not yet valid")
    return principal


def _verify(token: str, secret: str, audience: str, issuer: str,
            max_ttl_s: int) -> tuple[Principal, float, float]:
    """The principal and the window (with the leeway) in which the token is valid."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience,
                            issuer=issuer, leeway=LEEWAY_S,
                            options={"require": ["exp", "iat", "sub", "aud", "iss"]})
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("token expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise AuthError("token not yet valid") from exc
    except jwt.InvalidAudienceError as exc:
        raise AuthError("token audience is not this platform") from exc
    except jwt.PyJWTError as exc:
        raise AuthError("token invalid") from exc
    lifetime = claims["exp"] - claims["iat"]
    if not isinstance(lifetime, int | float) or lifetime > max_ttl_s:
        raise AuthError(f"token lifetime is over the maximum of {max_ttl_s} s")
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthError("token carries no roles")
    granted = frozenset(roles) & set(ROLES)
    facilitator_id = claims.get("facilitator_id")
    if "facilitator" in granted and not (isinstance(facilitator_id, str) and facilitator_id):
        # A facilitator may act only for her own sessions: without her id she has none.
        granted = granted - {"facilitator"}
    if not isinstance(facilitator_id, str):
        facilitator_id = None
    principal = Principal(subject=str(claims["sub"]), roles=granted,
                          facilitator_id=facilitator_id)
    not_before = claims.get("nbf")
    not_before = not_before if isinstance(not_before, int | float) else claims["iat"]
    valid_from = max(claims["iat"], not_before) - LEEWAY_S
    return principal, valid_from, claims["exp"] + LEEWAY_S


def principal_from_request() -> Principal:
    """Authenticate the current request or abort with a JSON 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        _unauthorized("missing bearer token: send 'Authorization: Bearer <JWT>'")
    settings = current_app.config["SETTINGS"]
    try:
        return verify_remembered(token.strip(), settings.jwt_secret, settings.jwt_audience,
                                 settings.jwt_issuer, settings.jwt_max_ttl_s)
    except AuthError as exc:
        _unauthorized(str(exc))


def _unauthorized(message: str):
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="glo-act"'})


def requires(*roles: str):
    """Allow a view to callers holding one of ``roles`` (admin holds every role); a repeated
    `Idempotency-Key` is answered from the store only after that check."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = principal_from_request()
            if not principal.has_any(roles):
                abort(403, message=f"this needs one of the roles: {', '.join(roles)}")
            g.principal = principal
            replayed = idempotency.replay_if_seen(principal.subject)
            if replayed is not None:
                return replayed
            return view(*args, **kwargs)
        wrapper._roles = roles
        return wrapper
    return decorate


def main(argv: list[str] | None = None) -> int:
    from common.config import ConfigurationError, load

    parser = argparse.ArgumentParser(prog="python -m common.auth",
                                     description="Mint a bearer token for the platform's APIs.")
    sub = parser.add_subparsers(dest="command", required=True)
    minting = sub.add_parser("mint", help="print a signed token")
    minting.add_argument("--subject", required=True, help="who the token is for")
    minting.add_argument("--role", action="append", choices=ROLES, required=True,
                         help="a role to grant (repeatable)")
    minting.add_argument("--ttl", type=int, default=8 * 3600,
                         help="lifetime in seconds (at most JWT_MAX_TTL_SECONDS, 12 h by default)")
    minting.add_argument("--facilitator-id", help="for --role facilitator: her id in sessions")
    args = parser.parse_args(argv)
    try:
        settings = load("auth")
        token = mint(settings.jwt_secret, args.subject, args.role, args.ttl,
                     settings.jwt_audience, settings.jwt_issuer, settings.jwt_max_ttl_s,
                     facilitator_id=args.facilitator_id)
    except (ConfigurationError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
