"""A sessions page's rows, each dumped by `SessionOut` once per stored copy a process keeps.

The listing's blocks and chunks are immutable and kept in the process
(`session_listing_blocks`), so a page of kept sessions hands the view the same objects each
time: dumping twenty sessions field by field cost more than reading the page. A row is known by
the object itself (held here, so its identity cannot be reused while it is), never by the
session's id: another object is another stored copy, possibly another content.
"""

import threading
from collections import OrderedDict

from flask import jsonify

from common.views import shown
from services.sessions.resources.session_schemas import SessionOut

ROWS = 1024  # dumped rows kept: a page is 20, a chunk 64
_SCHEMA = SessionOut()
_dumped: OrderedDict = OrderedDict()  # id(session) -> (session, its row)
_guard = threading.Lock()


def row(session: dict) -> dict:
    """The session as the listing shows it, dumped once while its object is kept."""
    with _guard:
        known = _dumped.get(id(session))
        if known is not None and known[0] is session:
            _dumped.move_to_end(id(session))
            return known[1]
    dumped = _SCHEMA.dump(shown(session))
    with _guard:
        _dumped[id(session)] = (session, dumped)
        _dumped.move_to_end(id(session))
        while len(_dumped) > ROWS:
            _dumped.popitem(last=False)
    return dumped


def page(rows: list[dict]):
    """The page's rows as the response, already dumped (flask-smorest passes a response on
    and adds the pagination header)."""
    return jsonify(rows)
