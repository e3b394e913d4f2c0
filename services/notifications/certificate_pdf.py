"""The certificate as a PDF: A4 landscape, English and Urdu on one page, a QR code to verify it.

WeasyPrint lays it out with Pango, which shapes the Urdu (Noto Naskh Arabic from Debian's
fonts-noto-core); the QR code is a PNG drawn by segno, so it survives as an image in the PDF.
"""

import base64
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifications.rendering import _MONTHS_UR

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _dates(session: dict, language: str) -> str:
    zone = ZoneInfo(session.get("timezone") or "UTC")
    first, last = (session[k].astimezone(zone) for k in ("starts_at", "ends_at"))
    if language == "ur":
        days = f"{first.day}" if first.date() == last.date() else f"{first.day} تا {last.day}"
        return f"{days} {_MONTHS_UR[last.month - 1]} {last.year}" if first.month == last.month \
            else f"{first.day} {_MONTHS_UR[first.month - 1]} تا {last.day} " \
                 f"{_MONTHS_UR[last.month - 1]} {last.year}"
    if first.date() == last.date():
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last.day} {last:%B %Y}"
    return f"{first.day} {first:%B} - {last.day} {last:%B %Y}"


def render(document: dict) -> bytes:
    """The PDF bytes of one certificate."""
    import weasyprint  # loaded on first use: it pulls in Pango

    qr = segno.make(document["url"], error="m")
    png = base64.b64decode(qr.png_data_uri(scale=6, border=2).split(",", 1)[1])
    sessions = [{"title": s["title"], "en": _dates(s, "en"), "ur": _dates(s, "ur"),
                 "place": ", ".join(p for p in (s.get("city"), s.get("country")) if p)}
                for s in document["sessions"]]
    html = _ENV.get_template("certificate.html").render(
        d=document, sessions=sessions,
        qr="data:image/png;base64," + base64.b64encode(png).decode())
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
