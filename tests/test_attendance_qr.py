"""The check-in QR code: in the confirmation mail as a PNG filled in at
delivery, on the registrant's own page as inline SVG, decoded by an
independent reader (OpenCV) back to the staff check-in address."""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from instant_coorace.attendance.check_in_links import check_in_token, check_in_url
from instant_coorace.attendance.qr import check_in_qr_for_mail
from instant_coorace.events.models import EventFormat
from instant_coorace.extensions import db
from instant_coorace.mail.worker import run_jobs
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event
from tests.test_stored_links import every_stored_string

cv2 = pytest.importorskip("cv2")
numpy = pytest.importorskip("numpy")

IMAGE = re.compile(r'<img src="(http://localhost/presence/qr/[^"]+\.png)" width="(\d+)"')


def decoded(png: bytes) -> str:
    image = cv2.imdecode(numpy.frombuffer(png, dtype=numpy.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def confirmation_eml(app):
    [path] = (Path(app.instance_path) / "mail").glob("*registration_confirmed.eml")
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def test_the_confirmation_mail_shows_a_code_that_leads_to_the_staff_check_in(app, client):
    event = make_event(event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))
    registration = db.session.get(Registration, receipt.registration_id)
    token = check_in_token(registration)
    run_jobs()

    message = confirmation_eml(app)
    body = message.get_body(("html",)).get_content()
    [(image_url, width)] = IMAGE.findall(body)
    assert "data:" not in body and "<svg" not in body
    assert "montrez le QR code" in message.get_body(("plain",)).get_content()
    png = client.get(image_url.removeprefix("http://localhost"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Cache-Control"] == "no-store"
    assert png.headers["Referrer-Policy"] == "no-referrer"
    assert decoded(png.data) == check_in_url(registration)
    assert check_in_url(registration) == f"http://localhost/gestion/accueil/{token}"
    assert int(width) > 100

    # The database holds neither the code's address nor its token.
    signature = token.split(".")[1]
    assert not [value for value in every_stored_string() if signature in value]


def test_an_online_event_or_a_waiting_list_gets_no_code(app):
    online = make_event(event_format=EventFormat.ONLINE)
    receipt = services.register(online.id, applicant(1))
    full = make_event(event_format=EventFormat.IN_PERSON, capacity=0)
    waiting = services.register(full.id, applicant(2))

    for registration_id in (receipt.registration_id, waiting.registration_id):
        registration = db.session.get(Registration, registration_id)
        assert check_in_qr_for_mail("une-cle", registration) is None


def test_the_registrants_own_page_shows_the_code_as_svg_without_inline_style(app, client):
    event = make_event(event_format=EventFormat.HYBRID)
    receipt = services.register(event.id, applicant(1))

    page = html.unescape(client.get(f"/inscription/{receipt.token}").get_data(as_text=True))
    [svg] = re.findall(r"<svg.*?</svg>", page, re.S)
    assert 'role="img"' in svg and "<title>QR code d'accueil" in svg
    assert "style=" not in page
    assert "Montrez ce QR code en arrivant" in page


def test_an_unknown_or_altered_code_image_is_not_found(app, client):
    event = make_event(event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))
    token = check_in_token(db.session.get(Registration, receipt.registration_id))
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert client.get(f"/presence/qr/{altered}.png").status_code == 404
    assert client.get("/presence/qr/42.png").status_code == 404
    ids = db.session.scalars(select(Registration.id)).all()
    assert ids == [receipt.registration_id]
