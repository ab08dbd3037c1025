"""PDF letters, envelopes and evening packs read back with pypdf."""

from __future__ import annotations

import datetime
import io

import pypdf
import pypdfium2 as pdfium
from django.test import Client

from tests.actions.helpers import LETTER, case
from urgent.actions.pdf import (
    A4,
    LetterPage,
    date_in_language,
    envelopes_pdf,
    letters_pdf,
    paper_for,
)
from urgent.actions.pdf import LETTER as US_LETTER
from urgent.actions.selectors import case_for_action
from urgent.actions.services.documents import evening_pack_pdf
from urgent.core.pdf import ENVELOPES, Box


def pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def text(page: pypdf.PageObject) -> str:
    return " ".join(page.extract_text().split())


def post_pdf(**extra: str) -> bytes:
    data = {
        "subject": "Concerning Daniyar Orazmyradov",
        "letter": LETTER + "\nAna Example",
        "language": "en",
        "name": "Ana Example",
        "city": "Lyon",
        "country": "FR",
        "kind": "letter",
        **extra,
    }
    response = Client().post("/act/ua-101-26/pdf/", data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return bytes(response.content)


def test_letter_pdf_has_address_salutation_asks_and_a4_for_france(demo: None) -> None:
    [page] = pages(post_pdf())
    content = text(page)
    assert "Dear President," in content
    assert "Disclose at once his fate and whereabouts." in content
    assert "Oraz Baymuradov" in content and "New York, NY 10017" in content
    assert "Ana Example" in content and "Lyon, France" in content
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert round(width_mm) == 210


def test_letter_pdf_for_the_us_is_letter_size_and_copies_get_their_own_salutation(
    demo: None,
) -> None:
    letters = pages(post_pdf(country="US", copies="1"))
    assert len(letters) == 2
    assert round(float(letters[0].mediabox.width) / 72 * 25.4, 1) == 215.9
    assert "Your Excellency," in text(letters[1])  # the copy's own salutation
    assert "Dear President," not in text(letters[1])


def test_envelope_pdf_has_the_recipient_and_airmail(demo: None) -> None:
    [envelope] = pages(post_pdf(kind="envelope"))
    content = text(envelope)
    assert "New York, NY 10017" in content and "PAR AVION" in content
    assert round(float(envelope.mediabox.width) / 72 * 25.4) == 220  # DL


def test_evening_pack_cycles_through_officials_with_room_to_sign(demo: None) -> None:
    mx = case_for_action(slug="ua-95-26")
    assert mx is not None
    pack = pages(evening_pack_pdf(case=mx, count=4, language="es"))
    assert len(pack) == 4
    first, second = text(pack[0]), text(pack[1])
    assert "Estimada Gobernadora:" in first and "Estimado Secretario:" in second
    assert "Garantizar medidas de protección" in first
    assert "Signature" in first and "1/4" in first


def test_evening_pack_endpoint_limits_the_count(demo: None) -> None:
    response = Client().get("/act/ua-101-26/pack/?count=5000")
    assert response.status_code == 200
    assert len(pages(response.content)) == 200


def test_dates_in_the_recipients_language_and_paper_by_country() -> None:
    day = datetime.date(2026, 3, 5)
    assert date_in_language(day, "fr") == "5 mars 2026"
    assert date_in_language(day, "es") == "5 de marzo de 2026"
    assert date_in_language(day, "de") == "5. März 2026"
    assert "марта" in date_in_language(day, "ru")
    assert paper_for("US") is US_LETTER and paper_for("FR") is A4 and paper_for("") is A4


def test_pdf_refuses_an_empty_letter(demo: None) -> None:
    assert Client().post("/act/ua-101-26/pdf/", {"letter": " "}).status_code == 400
    assert case().slug == "ua-101-26"


# ---------------------------------------------------------------------------
# Addresses fit the envelope window: read back character boxes with pdfium.

LONG_ADDRESS = [
    "H.E. Ambassador Ana Exampleton-Madeupova",
    "Permanent Mission of the Republic of Examplestan to the United Nations Office at Geneva",
    "Chemin des Exemples 123, Case postale 4567",
    "1211 Genève 99",
    "Switzerland",
]


def char_boxes(pdf: bytes, page_number: int = 0) -> list[tuple[str, float, float, float, float]]:
    """Each character drawn on the page: (char, left, top, right, bottom) in mm from top-left."""
    document = pdfium.PdfDocument(pdf)
    page = document[page_number]
    height = page.get_height()
    textpage = page.get_textpage()
    mm = 25.4 / 72
    boxes = []
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        if not char.strip():
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=False)
        boxes.append((char, left * mm, (height - top) * mm, right * mm, (height - bottom) * mm))
    return boxes


def inside(boxes: list[tuple[str, float, float, float, float]], box: Box) -> list[str]:
    """The characters that stick out of the box (0.5 mm of rounding allowed)."""
    slack = 0.5
    return [
        char
        for char, left, top, right, bottom in boxes
        if left < box.x - slack
        or right > box.x + box.width + slack
        or top < box.y - slack
        or bottom > box.y + box.height + slack
    ]


def test_long_address_fits_the_window_of_every_envelope_size() -> None:
    for name, envelope in ENVELOPES.items():
        pdf = envelopes_pdf(
            recipients=[LONG_ADDRESS],
            sender=["Ana Example", "Lyon"],
            envelope=envelope,
            airmail=True,
        )
        boxes = char_boxes(pdf)
        address = [b for b in boxes if b[1] >= envelope.address.x - 5 and b[2] >= 20]
        assert address, name
        assert inside(address, envelope.address) == [], name
        drawn = "".join(b[0] for b in address)
        for line in LONG_ADDRESS:  # every word is there, nothing was cut
            assert line.replace(" ", "") in drawn, (name, line)


def test_an_address_too_tall_for_the_window_shrinks_into_it() -> None:
    many = [*LONG_ADDRESS, "Attention: Human Rights Desk", "Floor 7, Office 712", "Building B"]
    envelope = ENVELOPES["DL"]
    pdf = envelopes_pdf(recipients=[many], sender=[], envelope=envelope, airmail=False)
    boxes = [b for b in char_boxes(pdf) if b[1] >= envelope.address.x - 5]
    assert inside(boxes, envelope.address) == []
    assert "BuildingB" in "".join(b[0] for b in boxes)  # the ninth line too


def test_long_address_fits_the_window_of_the_letter_on_a4_and_us_letter() -> None:
    for paper in (A4, US_LETTER):
        page = LetterPage(
            recipient=LONG_ADDRESS,
            sender=["Ana Example"],
            date="5 March 2026",
            subject="Concerning a case",
            body="Dear Ambassador,",
        )
        pdf = letters_pdf(pages=[page], paper=paper)
        window = Box(paper.address_x, paper.address_y, paper.address_width, paper.address_height)
        boxes = [b for b in char_boxes(pdf) if window.y - 3 <= b[2] <= window.y + window.height]
        assert inside(boxes, window) == [], paper.name
        drawn = "".join(b[0] for b in boxes)
        assert "totheUnitedNations" in drawn and "Switzerland" in drawn, paper.name


def test_envelope_size_is_chosen_on_the_post_page(demo: None) -> None:
    [envelope] = pages(post_pdf(kind="envelope", envelope="C5"))
    assert round(float(envelope.mediabox.width) / 72 * 25.4) == 229
    [envelope] = pages(post_pdf(kind="envelope", envelope="nonsense"))
    assert round(float(envelope.mediabox.width) / 72 * 25.4) == 220  # the usual one in France
