"""The registration service: officers, enrollments, seats, cohorts, export and erasure."""

from services.console.clients.base import ApiClient


class RegistrationClient(ApiClient):
    service = "registration"

    def officers(self, agency: str | None = None) -> list[dict]:
        return self.every("/participants", agency=agency)

    def officer(self, participant_id: str) -> dict:
        return self.get(f"/participants/{participant_id}")

    def register(self, profile: dict) -> dict:
        return self.post("/participants", profile)

    def update(self, participant_id: str, changes: dict) -> dict:
        return self.patch(f"/participants/{participant_id}", changes)

    def export(self, participant_id: str) -> dict:
        return self.get(f"/participants/{participant_id}/export")

    def erase(self, participant_id: str) -> dict:
        return self.post(f"/participants/{participant_id}/erasure")

    def current_consent_policy(self) -> str:
        """The consent policy an officer agrees to today: registration lists the versions it
        accepts (`Consent.policy_version` in its OpenAPI document); versions are `YYYY-MM`,
        so the newest is the one in force."""
        schema = self.get("/openapi.json")["components"]["schemas"]["Consent"]
        return max(schema["properties"]["policy_version"]["enum"])

    def agencies(self) -> list[dict]:
        return self.every("/agencies")

    def enrollments(self, **filters) -> list[dict]:
        return self.every("/enrollments", **filters)

    def enroll(self, participant_id: str, session_id: str) -> dict:
        return self.post("/enrollments", {"participant_id": participant_id,
                                          "session_id": session_id})

    def withdraw(self, enrollment_id: str) -> dict:
        return self.post(f"/enrollments/{enrollment_id}/withdrawal")

    def seats(self, session_id: str) -> dict:
        return self.get(f"/sessions/{session_id}")

    def join_series(self, series_id: str, participant_id: str) -> dict:
        return self.post(f"/series/{series_id}/cohort", {"participant_id": participant_id})

    def cohort_from_session(self, series_id: str, session_id: str, include: str) -> dict:
        return self.post(f"/series/{series_id}/cohort/from-session",
                         {"session_id": session_id, "include": include})

    def attendance_sheet_names(self, session_id: str) -> list[dict]:
        """Names of a session's confirmed officers, for the people who take its attendance."""
        return self.get(f"/sessions/{session_id}/names")
