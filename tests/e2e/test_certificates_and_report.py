"""The demo's workshop completers get their certificates by email (a PDF whose text and QR read
back), the QR's address verifies it, and the donor's report reads as the press release does."""

import email
import io
from email import policy

import pypdf
import requests
import zxingcpp
from PIL import Image

from common.auth import mint
from common.config import load
from operations import demo
from tests.conftest import wait_for


def _token(*roles) -> dict:
    settings = load("e2e")
    token = mint(settings.jwt_secret, "e2e-certificates", list(roles), 3600,
                 settings.jwt_audience, settings.jwt_issuer)
    return {"Authorization": f"Bearer {token}"}


def _pdf_of(inbox: str, address: str, codes: set[str]):
    """This stack's certificate email to ``address`` (the sink keeps other runs' mail too):
    the message, its PDF and the PDF's first page's text; None while it has not arrived."""
    for summary in requests.get(f"{inbox}/messages", params={"to": address}, timeout=5).json():
        raw = requests.get(f"{inbox}/messages/{summary['id']}", timeout=5).content
        message = email.message_from_bytes(raw, policy=policy.default)
        pdfs = [part.get_content() for part in message.iter_attachments()
                if part.get_content_type() == "application/pdf"]
        if len(pdfs) != 1:
            continue
        page = pypdf.PdfReader(io.BytesIO(pdfs[0])).pages[0]
        text = " ".join(page.extract_text().split())
        if any(code in text for code in codes):
            return message, page, text
    return None


def test_workshop_completers_get_a_certificate_email_whose_pdf_and_qr_verify(stack,
                                                                               smtp_inbox):
    loaded = demo.load(stack.urls, _token("coordinator")["Authorization"][7:], say=lambda _: 0)
    sessions = stack.urls["sessions"]
    issued = _issued(sessions, loaded)
    assert len(issued) == 24
    assert {c["evidence"]["days_held"] for c in issued} == {5}

    codes = {c["code"] for c in issued}
    # Officer 1 of the demo prefers Urdu; officer 0 English. Both get the bilingual PDF.
    for n, subject_start in ((0, "Your certificate of completion"), (1, "آپ کی تکمیل کی سند")):
        address = f"{demo.GIVEN[n].lower()}.{demo.FAMILY[n].lower()}.{n}@example.org"
        message, page, text = wait_for(lambda a=address: _pdf_of(smtp_inbox, a, codes),
                                       timeout_s=120)
        assert message["Subject"].startswith(subject_start)
        [code] = [c for c in codes if c in text]
        for expected in (f"{demo.GIVEN[n]} {demo.FAMILY[n]}", "Certificate of completion",
                         "Specialist training on investigative techniques",
                         "9-13 November 2020", "attending 5 of 5 days", "تکمیل کی سند",
                         "نومبر", code):
            assert expected in text
        [image] = page.images
        [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
        assert qr.text == f"{sessions}/certificates/{code}"
        verified = requests.get(qr.text, timeout=10).json()  # no sign-in
        assert verified["status"] == "valid"
        assert verified["holder_initials"] == f"{demo.GIVEN[n][0]}. {demo.FAMILY[n][0]}."
        assert verified["title"] == "Specialist training on investigative techniques"
        assert (verified["starts_on"], verified["ends_on"]) == ("2020-11-09", "2020-11-13")
        assert demo.GIVEN[n] not in str(verified)


def _issued(sessions: str, loaded: dict) -> list[dict]:
    def found():
        every = requests.get(f"{sessions}/certificates",
                             params={"course_id": loaded["workshop_id"]},
                             headers=_token("coordinator"), timeout=10).json()
        issued = [c for c in every if c["status"] == "issued"]
        return issued if len(issued) == 24 else None
    return wait_for(found, timeout_s=90)


def test_the_series_report_reads_like_the_press_release_in_html_and_pdf(stack):
    loaded = demo.load(stack.urls, _token("coordinator")["Authorization"][7:], say=lambda _: 0)
    url = f"{stack.urls['sessions']}/series/{loaded['series_id']}/report"
    html = requests.get(url, headers=_token("viewer"), timeout=30)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    page = " ".join(html.text.split())
    for expected in ("24 officers took part: 24 women",
                     "<td>Federal Investigation Agency</td><td class=\"n\">18</td>"
                     "<td class=\"n\">75%</td>",
                     "<td>Punjab Police</td><td class=\"n\">6</td><td class=\"n\">25%</td>",
                     "2 days", "attendance 100%", "1 of 3",
                     "Next session: Coaching session 2 of 3, 20-21 July 2021",
                     "24 of the 24 officers of the cohort", "<svg",
                     "average 4.5 of 5", "The weeklong workshop helped me",
                     "Nothing was suppressed"):
        assert expected in page

    pdf = requests.get(url, params={"format": "pdf"}, headers=_token("viewer"), timeout=60)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(
        io.BytesIO(pdf.content)).pages).split())
    for expected in ("24 women", "Federal Investigation Agency", "Punjab Police 6 25%",
                     "attendance 100%", "20-21 July 2021"):
        assert expected in text
    as_accept = requests.get(url, headers={**_token("coordinator"), "Accept": "application/pdf"},
                             timeout=60)
    assert as_accept.content.startswith(b"%PDF")


def test_the_programme_report_suppresses_small_cells_and_says_which(stack):
    loaded = demo.load(stack.urls, _token("coordinator")["Authorization"][7:], say=lambda _: 0)
    url = f"{stack.urls['sessions']}/programmes/{loaded['programme_id']}/report"
    wait_for(lambda: "24 certificates of completion issued" in requests.get(
        url, headers=_token("viewer"), timeout=30).text, timeout_s=90)
    hidden = " ".join(requests.get(url, params={"min_cell": 7}, headers=_token("viewer"),
                                   timeout=30).text.split())
    assert "<td>Punjab Police</td><td class=\"n\">suppressed*</td>" in hidden
    assert "<td>Federal Investigation Agency</td><td class=\"n\">18</td>" in hidden
    assert "Counts below 7 are suppressed" in hidden
    assert "attended.by_agency.Punjab Police" in hidden
    assert requests.get(url, headers=_token("service"), timeout=10).status_code == 403
