"""The notifications service: the activity feed, resending, template previews."""

from services.console.clients.base import ApiClient


class NotificationsClient(ApiClient):
    service = "notifications"

    def feed(self, recipient_id: str | None = None, session_id: str | None = None,
             limit: int = 200) -> list[dict]:
        return self.every("/notifications", limit=limit, recipient_id=recipient_id,
                          session_id=session_id)

    def resend(self, notification_id: str) -> dict:
        return self.post(f"/notifications/{notification_id}/resend")

    def preview(self, kind: str, language: str) -> dict:
        return self.get(f"/templates/{kind}/preview", language=language)
