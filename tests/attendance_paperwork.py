"""Shared setting of the émargement and certificate tests: a two-half-day
training on Wednesday 4 March 2026 (9 h – 12 h 30, 13 h – 16 h 30 in Paris),
registrants with accented names, and helpers to read PDFs back with pypdf."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.registrations.services import register
from tests.builders import applicant, make_event, make_structure

MORNING_START = dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)
#: 8 h in Paris, an hour before the training starts: when the tests set it up.
BEFORE_START = MORNING_START - dt.timedelta(hours=1)
DURING_MORNING = MORNING_START + dt.timedelta(hours=1)


@dataclasses.dataclass
class Training:
    event_id: int
    session_ids: list[int]
    registration_ids: list[int]
    tokens: list[str]


def make_training(count: int = 2, *, kind: EventKind = EventKind.FORMATION) -> Training:
    """Created as on ``BEFORE_START`` (the caller travels there first)."""
    structure = make_structure("Régie de quartier Émeraude")
    event = make_event(
        "Accompagner vers l'emploi : les fondamentaux de l'IAE",
        kind=kind,
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale",
        venue_address="12 rue des Lilas, Montpellier",
        trainers="Hélène Côté",
        starts_in=dt.timedelta(hours=1),
        duration=dt.timedelta(hours=3, minutes=30),
        sessions=2,
    )
    names = [("Élodie", "Dupré"), ("François", "Lefèvre"), ("Zoé", "Garçon"), ("Noël", "Brûlé")]
    receipts = [
        register(
            event.id,
            applicant(
                number,
                structure=structure,
                first_name=names[number % len(names)][0],
                last_name=names[number % len(names)][1]
                + ("" if number < len(names) else f" {number}"),
            ),
        )
        for number in range(count)
    ]
    return Training(
        event.id,
        [s.id for s in event.sessions],
        [r.registration_id for r in receipts],
        [r.token for r in receipts],
    )


@pytest.fixture
def clock(time_machine):
    """Time stopped at ``BEFORE_START``; ask for it before any client, so that a
    staff session opens at that time too."""
    time_machine.move_to(BEFORE_START, tick=False)
    return time_machine


def drawing(width: int = 400, height: int = 150, *, strokes: bool = True) -> str:
    """A canvas as the browser sends it: a PNG data URL, transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if strokes:
        ImageDraw.Draw(image).line([(20, 120), (120, 30), (220, 110), (380, 40)], "#1d2430", 4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pdf_text(data: bytes) -> str:
    """Every page's text, lines joined by spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_images(data: bytes) -> list:
    return [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
