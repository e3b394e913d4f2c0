"""Test doubles for the contact details' owners (registration, sessions), which notifications
asks over HTTP: in process (`FakeDirectory`) or as a small HTTP server (`ContactOwnerServer`)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from services.notifications.directory import (
    ContactGoneError,
    ContactUnavailableError,
    ContactUnknownError,
)


class FakeDirectory:
    """Contacts by id; `erased` ids answer Gone; `down` makes every question Unavailable."""

    def __init__(self):
        self.contacts: dict[str, dict] = {}
        self.erased: set[str] = set()
        self.down = False
        self.asked: list[str] = []
        self.while_asked = None  # called during a question, e.g. to race it with an update

    def add(self, person_id: str, **contact) -> None:
        self.contacts[person_id] = {"id": person_id, **contact}

    def fetch(self, role: str, person_id: str) -> dict:
        self.asked.append(person_id)
        if self.down:
            raise ContactUnavailableError("registration is down")
        if person_id in self.erased:
            raise ContactGoneError(person_id)
        if person_id not in self.contacts:
            raise ContactUnknownError(person_id)
        answer = self.contacts[person_id]
        if self.while_asked:  # what happens while the answer travels back
            self.while_asked(person_id)
        return answer


class ContactOwnerServer:
    """Answers `GET /participants/{id}/contact` and `/facilitators/{id}/contact` from a dict."""

    def __init__(self):
        self.contacts: dict[str, dict] = {}
        contacts = self.contacts

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                person_id = self.path.rstrip("/").split("/")[-2]
                found = contacts.get(person_id)
                body = json.dumps(found or {"code": 404}).encode()
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, person_id: str, **contact) -> None:
        self.contacts[person_id] = {"id": person_id, **contact}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
