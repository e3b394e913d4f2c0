"""What the three clients share: the bearer token, timeouts, pages, and errors mapped once."""

import json
from collections.abc import Callable

import requests

PAGE_SIZE = 100


class ServiceDownError(Exception):
    """The service did not answer, or answered that it cannot work now (5xx)."""

    def __init__(self, service: str):
        super().__init__(f"the {service} service is not available")
        self.service = service


class ApiRefusedError(Exception):
    """The service refused the request (4xx); carries its message and field errors."""

    def __init__(self, service: str, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.service = service
        self.status = status
        self.message = message
        self.errors = errors or {}

    def field_messages(self) -> list[str]:
        """`field: problem` lines from flask-smorest's error body."""
        found = []
        for location in self.errors.values():
            if isinstance(location, dict):
                found += [f"{field}: {' '.join(map(str, _flat(problems)))}"
                          for field, problems in location.items()]
        return found


def _flat(problems) -> list:
    if isinstance(problems, dict):
        return [f"{k}: {' '.join(map(str, _flat(v)))}" for k, v in problems.items()]
    return problems if isinstance(problems, list) else [problems]


class ApiClient:
    """A session to one service, with the signed-in person's token minted on demand."""

    service = "api"

    def __init__(self, base_url: str, token: Callable[[], str], timeout_s: float = 10.0,
                 http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s
        self.http = http or requests.Session()

    def call(self, method: str, path: str, *, body: dict | None = None,
             params: dict | None = None, raw: bool = False, stream: bool = False,
             timeout_s: float | None = None):
        """The decoded JSON, or the response when ``raw`` (its body unread with ``stream``);
        raises on refusal or outage."""
        try:
            response = self.http.request(
                method, f"{self.base_url}{path}", json=body,
                params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                headers={"Authorization": f"Bearer {self._token()}"},
                timeout=timeout_s or self.timeout_s, stream=stream)
        except requests.RequestException as exc:
            raise ServiceDownError(self.service) from exc
        if response.status_code >= 500:
            raise ServiceDownError(self.service)
        if response.status_code >= 400:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            raise ApiRefusedError(self.service, response.status_code,
                             answer.get("message") or response.reason, answer.get("errors"))
        if raw:
            return response
        return response.json() if response.content else None

    def get(self, path: str, **params):
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict | None = None):
        return self.call("POST", path, body=body if body is not None else {})

    def put(self, path: str, body: dict):
        return self.call("PUT", path, body=body)

    def patch(self, path: str, body: dict):
        return self.call("PATCH", path, body=body)

    def delete(self, path: str):
        return self.call("DELETE", path)

    # What every service serves to an admin: metrics and dead letters.
    def metrics(self) -> str:
        return self.call("GET", "/metrics", raw=True).text

    def dead_letters(self) -> list[dict]:
        return self.get("/admin/dead-letters")

    def replay_dead_letters(self, topic: str) -> dict:
        return self.post("/admin/dead-letters/replay", {"topic": topic})

    def every(self, path: str, limit: int = 5000, **params) -> list:
        """Every item of a paginated list (up to ``limit``), following flask-smorest's pages."""
        items, page = [], 1
        while len(items) < limit:
            response = self.call("GET", path, params={**params, "page": page,
                                                      "page_size": PAGE_SIZE}, raw=True)
            batch = response.json()
            items += batch
            pagination = json.loads(response.headers.get("X-Pagination") or "{}")
            if not batch or page >= pagination.get("total_pages", page):
                break
            page += 1
        return items[:limit]
