"""The sessions service: programmes, series, sessions, facilitators, attendance, indicators,
the donor's report and certificates."""

import requests

from services.console.clients.base import ApiClient

# A PDF report is rendered on request (WeasyPrint): seconds, not the page's usual budget.
REPORT_TIMEOUT_S = 60.0


class SessionsClient(ApiClient):
    service = "sessions"

    def programmes(self) -> list[dict]:
        return self.every("/programmes")

    def programme(self, programme_id: str) -> dict:
        return self.get(f"/programmes/{programme_id}")

    def create_programme(self, details: dict) -> dict:
        return self.post("/programmes", details)

    def series_list(self, programme_id: str | None = None) -> list[dict]:
        return self.every("/series", programme_id=programme_id)

    def series(self, series_id: str) -> dict:
        return self.get(f"/series/{series_id}")

    def create_series(self, details: dict) -> dict:
        return self.post("/series", details)

    def sessions(self, **filters) -> list[dict]:
        return self.every("/sessions", **filters)

    def session(self, session_id: str) -> dict:
        return self.get(f"/sessions/{session_id}")

    def create_session(self, details: dict) -> dict:
        return self.post("/sessions", details)

    def transition(self, session_id: str, action: str, body: dict | None = None) -> dict:
        """schedule, start, complete, cancel (with a reason) or reschedule (with times)."""
        return self.post(f"/sessions/{session_id}/{action}", body)

    def change_capacity(self, session_id: str, capacity: int) -> dict:
        return self.put(f"/sessions/{session_id}/capacity", {"capacity": capacity})

    def facilitators(self) -> list[dict]:
        return self.every("/facilitators")

    def add_facilitator(self, details: dict) -> dict:
        return self.post("/facilitators", details)

    def assign(self, session_id: str, facilitator_id: str, role: str) -> dict:
        return self.put(f"/sessions/{session_id}/facilitators/{facilitator_id}", {"role": role})

    def unassign(self, session_id: str, facilitator_id: str) -> dict:
        return self.delete(f"/sessions/{session_id}/facilitators/{facilitator_id}")

    def roster(self, session_id: str) -> list[dict]:
        return self.every(f"/sessions/{session_id}/roster")

    def attendance(self, session_id: str) -> list[dict]:
        return self.every(f"/sessions/{session_id}/attendance")

    def record_day(self, session_id: str, day: str, marks: list[dict]) -> list[dict]:
        return self.post(f"/sessions/{session_id}/attendance/{day}", {"marks": marks})

    def give_feedback(self, session_id: str, participant_id: str, given: dict) -> dict:
        return self.put(f"/sessions/{session_id}/feedback/{participant_id}", given)

    def quotes(self, session_id: str) -> list[dict]:
        return self.every(f"/sessions/{session_id}/quotes")

    def indicators(self, scope: str, scope_id: str, min_cell: int = 1) -> dict:
        """scope: sessions, series or programmes."""
        return self.get(f"/{scope}/{scope_id}/indicators", min_cell=min_cell)

    def indicators_csv(self, scope: str, scope_id: str, min_cell: int = 1) -> str:
        return self.call("GET", f"/{scope}/{scope_id}/indicators",
                         params={"min_cell": min_cell, "format": "csv"}, raw=True).text

    def report(self, scope: str, scope_id: str, pdf: bool, min_cell: int = 1
               ) -> requests.Response:
        """The donor's report (scope: programmes or series), its body left to stream."""
        return self.call("GET", f"/{scope}/{scope_id}/report", raw=True, stream=True,
                         timeout_s=max(self.timeout_s, REPORT_TIMEOUT_S),
                         params={"min_cell": min_cell, "format": "pdf" if pdf else "html"})

    def certificates(self, course_id: str) -> list[dict]:
        """A course's certificates (a series id, or a session held alone) with evidence."""
        return self.get("/certificates", course_id=course_id)

    def issue_certificate(self, session_id: str, participant_id: str, reason: str) -> dict:
        return self.post("/certificates", {"session_id": session_id,
                                           "participant_id": participant_id, "reason": reason})

    def revoke_certificate(self, code: str, reason: str) -> dict:
        return self.post(f"/certificates/{code}/revocation", {"reason": reason})

    def set_certificate_rule(self, series_id: str, rule: dict) -> dict:
        return self.put(f"/series/{series_id}/certificate-rule", rule)
