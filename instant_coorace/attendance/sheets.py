"""The émargement sheet of one session (half-day), as PDF.

Printed blank before the session for the trainees to sign on paper, or
downloaded afterwards with the signatures drawn on screen in their boxes and
the team's « absent » / « excusé » in the boxes of those who did not come.
"""

from __future__ import annotations

import io

from flask import current_app
from fpdf import FPDF

from instant_coorace.attendance.models import AttendanceStatus
from instant_coorace.attendance.pdf_documents import FAMILY, as_bytes, new_document
from instant_coorace.attendance.signatures import TraineeLine, session_roster, signature_images
from instant_coorace.events.models import EventFormat, EventSession
from instant_coorace.formatting import french_date, french_time, to_paris

NAME_WIDTH = 60
STRUCTURE_WIDTH = 55
SIGNATURE_WIDTH = 65
ROW_HEIGHT = 16
#: The box a signature is drawn in, inside its cell, in millimetres.
SIGNATURE_MARGIN = 1.5

ABSENCE_WORDS = {AttendanceStatus.ABSENT: "Absent·e", AttendanceStatus.EXCUSED: "Excusé·e"}


def half_day(session: EventSession) -> str:
    return "matin" if to_paris(session.starts_at).hour < 13 else "après-midi"


def session_heading(session: EventSession) -> str:
    """« mardi 3 mars 2026, matin, de 9 h à 12 h 30 »."""
    label = f" ({session.label})" if session.label else ""
    return (
        f"{french_date(session.starts_at)}, {half_day(session)}{label}, "
        f"de {french_time(session.starts_at)} à {french_time(session.ends_at)}"
    )


def place(session: EventSession) -> str:
    event = session.event
    venue = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    if event.format is EventFormat.ONLINE:
        return "À distance (visio)"
    return venue or "Non précisé"


def sheet_filename(session: EventSession, *, signed: bool) -> str:
    day = to_paris(session.starts_at).strftime("%Y-%m-%d")
    kind = "emargement-signe" if signed else "emargement"
    return f"{kind}-{session.event.slug}-{day}-{half_day(session).replace('è', 'e')}.pdf"


def sheet_pdf(session: EventSession, *, signed: bool) -> bytes:
    """The sheet of ``session``: one row per confirmed registrant, then the
    trainer's box; with ``signed``, what was recorded is drawn in."""
    lines = session_roster(session)
    images = signature_images(session.id) if signed else {}
    pdf = new_document(f"Feuille d'émargement — {session.event.title}")
    pdf.add_page()
    _header(pdf, session)
    _table_head(pdf)
    for line in lines:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            _table_head(pdf)
        _row(pdf, line, images.get(line.registration.id), signed=signed)
    _trainer_box(pdf, session)
    return as_bytes(pdf)


def _header(pdf: FPDF, session: EventSession) -> None:
    event = session.event
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(text="Feuille d'émargement", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 6, event.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    facts = [
        ("Organisme de formation", current_app.config["ORGANISATION_NAME"]),
        ("Session", session_heading(session)),
        ("Lieu", place(session)),
        ("Formateur·rice(s)", event.trainers or "—"),
    ]
    for label, value in facts:
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(45, 6, f"{label} :")
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _table_head(pdf: FPDF) -> None:
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_fill_color(230, 230, 230)
    pdf.cell(NAME_WIDTH, 8, "Nom et prénom", border=1, fill=True)
    pdf.cell(STRUCTURE_WIDTH, 8, "Structure", border=1, fill=True)
    pdf.cell(SIGNATURE_WIDTH, 8, "Signature", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)


def _row(pdf: FPDF, line: TraineeLine, image: bytes | None, *, signed: bool) -> None:
    registration = line.registration
    x, y = pdf.get_x(), pdf.get_y()
    _boxed_text(pdf, x, y, NAME_WIDTH, registration.full_name)
    _boxed_text(pdf, x + NAME_WIDTH, y, STRUCTURE_WIDTH, registration.organisation_name)
    box_x = x + NAME_WIDTH + STRUCTURE_WIDTH
    pdf.rect(box_x, y, SIGNATURE_WIDTH, ROW_HEIGHT)
    attendance = line.attendance
    if image is not None:
        pdf.image(
            io.BytesIO(image),
            x=box_x + SIGNATURE_MARGIN,
            y=y + SIGNATURE_MARGIN,
            w=SIGNATURE_WIDTH - 2 * SIGNATURE_MARGIN,
            h=ROW_HEIGHT - 2 * SIGNATURE_MARGIN,
            keep_aspect_ratio=True,
        )
    elif signed and attendance is not None and attendance.status in ABSENCE_WORDS:
        words = ABSENCE_WORDS[attendance.status]
        if attendance.reason:
            words = f"{words} : {attendance.reason}"
        _boxed_text(pdf, box_x, y, SIGNATURE_WIDTH, words, border=0)
    pdf.set_xy(x, y + ROW_HEIGHT)


def _boxed_text(pdf: FPDF, x: float, y: float, width: float, text: str, border: int = 1) -> None:
    """``text`` on at most two lines inside a ``width`` × ``ROW_HEIGHT`` box."""
    if border:
        pdf.rect(x, y, width, ROW_HEIGHT)
    pdf.set_xy(x, y + 1)
    pdf.multi_cell(width, 5, _fitted(pdf, text, width), max_line_height=5)


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut (with « … ») so that it fills at most two lines of ``width``."""
    budget = 2 * (width - 3)
    if pdf.get_string_width(text) <= budget:
        return text
    while text and pdf.get_string_width(text + "…") > budget:
        text = text[:-1]
    return text + "…"


def _trainer_box(pdf: FPDF, session: EventSession) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(8)
    pdf.set_font(FAMILY, "B", 10)
    trainers = session.event.trainers
    heading = "Signature du formateur ou de la formatrice"
    pdf.cell(text=f"{heading} ({trainers})" if trainers else heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.rect(pdf.get_x(), pdf.get_y(), SIGNATURE_WIDTH + 20, 25)
