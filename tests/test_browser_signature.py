"""A trainee signs the émargement with the mouse on the staff tablet, in a
real Chromium against the real server; the signed sheet's PDF then draws that
signature inside the trainee's box, and nothing is drawn in the others'."""

from __future__ import annotations

import datetime as dt
import io
import re

from PIL import Image
from pypdf import PdfReader

from instant_coorace.attendance.sheets import NAME_WIDTH, SIGNATURE_WIDTH, STRUCTURE_WIDTH
from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.registrations.models import RegistrationSource
from instant_coorace.registrations.services import register
from tests.browser import BROWSER_MARKS, DESKTOP, chromium, expect, log_in_by_keyboard, new_page  # noqa: F401
from tests.builders import applicant, make_event, make_staff, make_structure
from tests.live_server import live_server  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS

STAFF_EMAIL = "equipe@coorace-occitanie.example.org"
STAFF_PASSWORD = "un mot de passe solide"
MM = 72 / 25.4
#: Registered by the team: the session has begun, the public form is closed.
STAFF = RegistrationSource.STAFF
#: fpdf2 places an image with ``q w 0 0 h x y cm /In Do Q`` (points, from the bottom left).
IMAGE_PLACEMENT = re.compile(rb"q ([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I\w+ Do Q")


def test_a_signature_drawn_with_the_mouse_lands_in_the_trainees_box(chromium, live_server):  # noqa: F811
    structure = make_structure("Régie de quartier Émeraude")
    training = make_event(
        "Formation : les fondamentaux de l'IAE",
        kind=EventKind.FORMATION,
        event_format=EventFormat.IN_PERSON,
        starts_in=-dt.timedelta(hours=1),
        duration=dt.timedelta(hours=4),
    )
    register(training.id, applicant(1, structure, first_name="Élodie", last_name="Dupré"), STAFF)
    register(training.id, applicant(2, structure, first_name="Zoé", last_name="Garçon"), STAFF)
    session_id = training.sessions[0].id
    make_staff(STAFF_EMAIL, STAFF_PASSWORD)
    roster = f"/gestion/evenements/{training.id}/sessions/{session_id}/emargement"

    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        log_in_by_keyboard(page, STAFF_EMAIL, STAFF_PASSWORD)
        page.goto(roster)
        page.get_by_role("link", name="Faire signer Élodie Dupré").click()
        expect(page.get_by_text("signez la feuille papier")).to_be_hidden()

        page.get_by_role("button", name="Valider ma signature").click()
        expect(page.get_by_text("Le cadre est vide : signez avant de valider.")).to_be_visible()

        draw_with_the_mouse(page, page.locator("canvas.signature-pad"))
        page.get_by_role("button", name="Valider ma signature").click()

        expect(page).to_have_url(re.compile(re.escape(roster) + "$"))
        expect(page.get_by_text("Signature de Élodie Dupré enregistrée")).to_be_visible()
        row = page.get_by_role("row").filter(has_text="Élodie Dupré")
        expect(row).to_contain_text("Signé à")
        sheet = page.request.get(roster + "-signee.pdf")
        assert sheet.ok and sheet.headers["content-type"] == "application/pdf"
        body = sheet.body()
    finally:
        context.close()

    pdf_page = PdfReader(io.BytesIO(body)).pages[0]
    assert "Élodie Dupré" in pdf_page.extract_text()
    (image,) = pdf_page.images
    assert has_dark_strokes(image.data)
    (placement,) = IMAGE_PLACEMENT.findall(pdf_page.get_contents().get_data())
    width, height, x, _y = (float(value) / MM for value in placement)
    box_left = 15 + NAME_WIDTH + STRUCTURE_WIDTH
    assert box_left <= x and x + width <= box_left + SIGNATURE_WIDTH + 0.01
    assert 0 < height <= 16


def draw_with_the_mouse(page, canvas) -> None:
    box = canvas.bounding_box()
    left, top = box["x"] + 20, box["y"] + box["height"] * 0.7
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(left + step * 12, top - 40 * ((step % 6) / 6), steps=2)
    page.mouse.up()


def has_dark_strokes(png: bytes) -> bool:
    """Some pixels are ink, most are not: a drawing, not a blank or a filled box."""
    with Image.open(io.BytesIO(png)) as image:
        data = image.convert("RGBA").tobytes()
    pixels = [data[i : i + 4] for i in range(0, len(data), 4)]
    ink = sum(1 for r, g, b, a in pixels if a > 200 and r + g + b < 200)
    return 0 < ink < len(pixels) / 2
