"""CSRF: a signed double-submit token, checked on every state-changing request.

The browser holds a random value in an HttpOnly cookie; each form (or fetch, in the
`X-CSRF-Token` header) sends back an HMAC of it under the console's secret key. Another site
can neither read the cookie nor forge the HMAC, so its forged form fails.
"""

import hashlib
import hmac
import secrets

COOKIE = "console_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def token_for(cookie_value: str, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def valid(cookie_value: str | None, sent: str | None, secret_key: str) -> bool:
    if not cookie_value or not sent:
        return False
    return hmac.compare_digest(token_for(cookie_value, secret_key), sent)
