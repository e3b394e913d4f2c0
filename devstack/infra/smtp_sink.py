"""A real SMTP server that keeps every message as a file, with a small read-only HTTP inbox.

    python -m devstack.infra.smtp_sink --host 127.0.0.1 --port 1025 --maildir DIR --http-port 1080

Each message is ``DIR/<id>.eml`` (the bytes as received) plus ``DIR/<id>.json`` (envelope sender,
recipients, subject, time), each written to a temporary name and renamed, the .json last.
HTTP: ``GET /messages`` lists the inbox oldest first as JSON (``?to=ADDR`` filters by
recipient), ``GET /messages/<id>`` returns the raw message.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ID_RE = re.compile(r"[0-9]{19,}-[0-9a-f]{8}")


def _write_atomically(path: pathlib.Path, data: bytes) -> None:
    # Renamed into place, not fsync'd: a development sink needs whole files, not durability
    # across a power cut, and an fsync per message would slow every SMTP conversation.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def store(maildir: pathlib.Path, mail_from: str, rcpt_tos: list[str], content: bytes) -> dict:
    """Keep one message; return its JSON record."""
    message_id = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    headers = BytesHeaderParser(policy=default_policy).parsebytes(content)
    record = {
        "id": message_id,
        "from": mail_from,
        "to": list(rcpt_tos),
        "subject": str(headers.get("subject", "")),
        "header_from": str(headers.get("from", "")),
        "header_to": str(headers.get("to", "")),
        "received_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "size": len(content),
    }
    _write_atomically(maildir / f"{message_id}.eml", content)
    _write_atomically(maildir / f"{message_id}.json", json.dumps(record, indent=1).encode())
    return record


class Inbox:
    """Every record of a maildir in memory, by recipient: the sink is the only writer, so the
    files are read once at start and each new message is added as it is stored. A listing
    costs what it returns, not the size of the maildir (tests and the bench poll it often)."""

    def __init__(self, maildir: pathlib.Path):
        self.maildir = maildir
        self._lock = threading.Lock()
        self._all: list[dict] = []
        self._by_to: dict[str, list[dict]] = {}
        for path in sorted(maildir.glob("*.json")):
            try:
                self._add(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue

    def _add(self, record: dict) -> None:
        self._all.append(record)
        for address in {r.lower() for r in record.get("to", [])}:
            self._by_to.setdefault(address, []).append(record)

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> dict:
        record = store(self.maildir, mail_from, rcpt_tos, content)
        with self._lock:
            self._add(record)
        return record

    def list(self, to: str | None = None) -> list[dict]:
        with self._lock:
            return list(self._all if to is None else self._by_to.get(to.lower(), []))


def list_messages(maildir: pathlib.Path, to: str | None = None) -> list[dict]:
    """The records of ``maildir`` (for ``to`` only, if given), oldest first, read from disk."""
    return Inbox(maildir).list(to)


class Handler:
    """aiosmtpd handler: accept every message and store it."""

    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        self.inbox.store(envelope.mail_from, envelope.rcpt_tos, content)
        return "250 Message accepted for delivery"


def http_handler(inbox: Inbox) -> type[BaseHTTPRequestHandler]:
    maildir = inbox.maildir

    class InboxHTTP(BaseHTTPRequestHandler):
        server_version = "devstack-smtp-sink/1"

        def do_GET(self):  # noqa: N802 - http.server's hook name
            url = urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            if parts == ["messages"]:
                to = parse_qs(url.query).get("to", [None])[0]
                body = json.dumps(inbox.list(to)).encode()
                return self._send(200, "application/json", body)
            if len(parts) == 2 and parts[0] == "messages" and ID_RE.fullmatch(parts[1]):
                path = maildir / f"{parts[1]}.eml"
                if path.exists():
                    return self._send(200, "message/rfc822", path.read_bytes())
            if parts == ["health"]:
                return self._send(200, "application/json", b'{"ok": true}')
            return self._send(404, "application/json", b'{"error": "not found"}')

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # quiet: no log line per request
            pass

    return InboxHTTP


def main(argv: list[str] | None = None) -> int:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(prog="python -m devstack.infra.smtp_sink")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=1080, help="0 disables the HTTP inbox")
    parser.add_argument("--maildir", required=True, type=pathlib.Path)
    args = parser.parse_args(argv)
    maildir = args.maildir.resolve()
    maildir.mkdir(parents=True, exist_ok=True)

    inbox = Inbox(maildir)
    controller = Controller(Handler(inbox), hostname=args.host, port=args.port)
    controller.start()
    httpd = None
    if args.http_port:
        httpd = ThreadingHTTPServer((args.host, args.http_port), http_handler(inbox))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, name="inbox-http", daemon=True).start()
    print(f"smtp sink: SMTP on {args.host}:{args.port}, HTTP inbox on "
          f"{args.host}:{args.http_port or '-'}, messages in {maildir}", flush=True)

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    while not stopping.wait(1.0):
        pass
    if httpd is not None:
        httpd.shutdown()
    controller.stop()
    print("smtp sink: stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
