"""The page every attendance document starts from: A4, DejaVu Sans embedded.

fpdf2's built-in fonts know Latin-1 only and are not embedded; DejaVu Sans
(``static/fonts``, Bitstream Vera licence) covers every French character,
« », œ and the narrow spaces included, and is embedded in each file, so a
funder's reader shows the same words on any machine. The vendored files are
cut down to those characters (see their licence file): parsing the full font
for each PDF cost more than writing the PDF.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
FAMILY = "DejaVu"


def new_document(title: str, *, landscape: bool = False) -> FPDF:
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("Instant Coorace")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_font(FAMILY, size=10)
    return pdf


def as_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
