"""The certificate PDF: one A4 landscape page whose text (English and Urdu) and QR read back."""

import io
from datetime import UTC, datetime

import pypdf
import zxingcpp
from PIL import Image

from services.notifications import certificate_pdf

URL = "https://verify.glo-act.example/certificates/KM3X-QD7A-PN"
DOCUMENT = {"code": "KM3X-QD7A-PN", "url": URL, "status": "issued",
            "title": "Specialist training on investigative techniques", "holder": "Ayesha Khan",
            "sessions": [{"title": "Specialist training on investigative techniques",
                          "starts_at": datetime(2020, 11, 9, 4, tzinfo=UTC),
                          "ends_at": datetime(2020, 11, 13, 12, tzinfo=UTC),
                          "timezone": "Asia/Karachi", "city": "Islamabad",
                          "country": "Pakistan"}],
            "facilitators": ["Marta Reyes", "Javed Hashmi"], "days_attended": 5, "days_held": 5}


def test_the_certificate_reads_back_in_english_and_urdu_with_a_qr_code_to_verify_it():
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf.render(DOCUMENT)))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = " ".join(page.extract_text().split())  # lines wrap where the layout decides
    for expected in ("Certificate of completion", "Ayesha Khan",
                     "Specialist training on investigative techniques", "9-13 November 2020",
                     "Marta Reyes, Javed Hashmi", "KM3X-QD7A-PN", "attending 5 of 5 days",
                     "تکمیل کی سند", "یہ سند تصدیق کرتی ہے کہ", "نومبر"):
        assert expected in text
    [image] = page.images
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    assert [code.text for code in decoded] == [URL]
