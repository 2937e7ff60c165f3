"""Émargement: the sheets as PDF, signing on the staff tablet or one's own
phone, « absent » / « excusé », and every refusal leaving nothing written."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from sqlalchemy import func, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.sign_in_models import SessionSignature
from instant_coorace.extensions import db
from tests import attendance_paperwork
from tests.attendance_paperwork import (
    DURING_MORNING,
    MORNING_START,
    drawing,
    make_training,
    pdf_images,
    pdf_text,
)

clock = attendance_paperwork.clock


def _tablet_url(training, registration=0, session=0) -> str:
    return (
        f"/gestion/evenements/{training.event_id}/sessions/{training.session_ids[session]}"
        f"/emargement/{training.registration_ids[registration]}"
    )


def _sheet_url(training, session=0, *, signed=False) -> str:
    suffix = "-signee.pdf" if signed else ".pdf"
    return (
        f"/gestion/evenements/{training.event_id}/sessions/{training.session_ids[session]}"
        f"/emargement{suffix}"
    )


def _written() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(SessionAttendance)),
        db.session.scalar(select(func.count()).select_from(SessionSignature)),
    )


def _page(response) -> str:
    """The page's words, tags left out."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True))).split())


def test_the_printable_sheet_names_the_session_place_trainer_and_every_trainee(clock, staff_client):
    training = make_training(3)
    response = staff_client.get(_sheet_url(training, session=1))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Feuille d'émargement" in text
    assert "Accompagner vers l'emploi : les fondamentaux de l'IAE" in text
    assert "mercredi 4 mars 2026, après-midi, de 13 h à 16 h 30" in text
    assert "Maison de l'économie sociale, 12 rue des Lilas, Montpellier" in text
    assert "Hélène Côté" in text
    for name in ("Élodie Dupré", "François Lefèvre", "Zoé Garçon"):
        assert name in text
    assert "Régie de quartier Émeraude" in text
    assert "Signature du formateur ou de la formatrice" in text
    assert pdf_images(response.data) == []


def test_a_trainee_signs_on_the_tablet_and_the_signed_sheet_holds_the_drawing(
    clock, app, staff_client
):
    training = make_training(2)
    clock.move_to(DURING_MORNING, tick=False)
    response = staff_client.post(_tablet_url(training), data={"signature": drawing()})
    assert response.status_code == 302
    signed_sheet = staff_client.get(_sheet_url(training, signed=True))
    blank_sheet = staff_client.get(_sheet_url(training))

    row = db.session.scalars(select(SessionAttendance)).one()
    assert (row.status, row.source, row.minutes_attended) == (
        AttendanceStatus.PRESENT,
        AttendanceSource.SIGNATURE,
        210,
    )
    signature = db.session.scalars(select(SessionSignature)).one()
    assert signature.signed_at == DURING_MORNING
    assert signature.staff_user_id is not None
    assert len(pdf_images(signed_sheet.data)) == 1
    assert pdf_images(blank_sheet.data) == []


def test_signing_again_replaces_the_signature_and_keeps_one_record(clock, staff_client):
    training = make_training(1)
    clock.move_to(DURING_MORNING, tick=False)
    staff_client.post(_tablet_url(training), data={"signature": drawing()})
    staff_client.post(_tablet_url(training), data={"signature": drawing(300, 100)})
    assert _written() == (1, 1)


def test_a_session_not_started_or_ended_over_a_day_ago_cannot_be_signed(clock, client):
    training = make_training(1)
    url = f"/inscription/{training.tokens[0]}/emargement/{training.session_ids[0]}"
    early = client.post(url, data={"signature": drawing()})
    clock.move_to(MORNING_START + dt.timedelta(hours=3, minutes=30, days=1, seconds=1), tick=False)
    late = client.post(url, data={"signature": drawing()})

    assert early.status_code == 422
    assert "n'a pas encore commencé" in _page(early)
    assert late.status_code == 422
    assert "terminée depuis plus d'un jour" in _page(late)
    assert _written() == (0, 0)


def test_an_empty_or_unreadable_canvas_is_refused_in_french(clock, staff_client):
    training = make_training(1)
    clock.move_to(DURING_MORNING, tick=False)
    empty = staff_client.post(_tablet_url(training), data={"signature": drawing(strokes=False)})
    nothing = staff_client.post(_tablet_url(training), data={"signature": ""})
    not_png = staff_client.post(
        _tablet_url(training), data={"signature": "data:image/png;base64,R0lGODlhAQABAAAAACw="}
    )

    assert empty.status_code == 422
    assert "Le cadre est vide : signez avant de valider." in _page(empty)
    assert nothing.status_code == 422
    assert "Signez dans le cadre avant de valider." in _page(nothing)
    assert not_png.status_code == 422
    assert "La signature n'a pas pu être lue" in _page(not_png)
    assert _written() == (0, 0)


def test_a_20_mb_image_is_refused_before_anything_is_read(clock, staff_client):
    training = make_training(1)
    huge = "data:image/png;base64," + "A" * (20 * 1024 * 1024)
    clock.move_to(DURING_MORNING, tick=False)
    response = staff_client.post(_tablet_url(training), data={"signature": huge})

    assert response.status_code == 413
    assert "bien trop volumineuse pour être une signature" in _page(response)
    assert _written() == (0, 0)


def test_an_image_over_the_size_bound_is_refused(clock, staff_client):
    training = make_training(1)
    big = "data:image/png;base64," + "A" * 300_000
    clock.move_to(DURING_MORNING, tick=False)
    response = staff_client.post(_tablet_url(training), data={"signature": big})
    assert response.status_code == 422
    assert "trop volumineuse" in _page(response)
    assert _written() == (0, 0)


def test_the_trainee_signs_from_their_own_link_during_the_session_only(clock, client):
    training = make_training(1)
    before = client.get(f"/inscription/{training.tokens[0]}")
    url = f"/inscription/{training.tokens[0]}/emargement/{training.session_ids[0]}"
    clock.move_to(DURING_MORNING, tick=False)
    during = client.get(f"/inscription/{training.tokens[0]}")
    page = client.get(url)
    signed = client.post(url, data={"signature": drawing()})

    assert "Signer la feuille de présence" not in _page(before)
    assert "Signer la feuille de présence" in _page(during)
    assert url in during.get_data(as_text=True)
    assert "signez la feuille papier" in _page(page)
    assert signed.status_code == 302
    signature = db.session.scalars(select(SessionSignature)).one()
    assert signature.staff_user_id is None


def test_another_events_session_is_not_found_through_a_personal_link(clock, client):
    first, second = make_training(1), make_training(1)
    clock.move_to(DURING_MORNING, tick=False)
    response = client.post(
        f"/inscription/{first.tokens[0]}/emargement/{second.session_ids[0]}",
        data={"signature": drawing()},
    )
    assert response.status_code == 404
    assert _written() == (0, 0)


def test_staff_mark_excused_with_a_reason_and_the_signed_sheet_says_so(clock, staff_client):
    training = make_training(2)
    clock.move_to(DURING_MORNING, tick=False)
    staff_client.post(_tablet_url(training, 1), data={"signature": drawing()})
    response = staff_client.post(
        _tablet_url(training, 1) + "/absence",
        data={"status": "excused", "reason": "Arrêt maladie, prévenu la veille"},
    )
    absent = staff_client.post(_tablet_url(training, 0) + "/absence", data={"status": "absent"})
    sheet = staff_client.get(_sheet_url(training, signed=True))

    assert response.status_code == 302 and absent.status_code == 302
    rows = {row.registration_id: row for row in db.session.scalars(select(SessionAttendance))}
    excused = rows[training.registration_ids[1]]
    assert excused.status is AttendanceStatus.EXCUSED
    assert excused.reason == "Arrêt maladie, prévenu la veille"
    assert rows[training.registration_ids[0]].status is AttendanceStatus.ABSENT
    text = pdf_text(sheet.data)
    assert "Excusé·e : Arrêt maladie, prévenu la veille" in text
    assert "Absent·e" in text
    assert pdf_images(sheet.data) == []  # the signature given before was withdrawn


def test_an_absence_without_a_choice_is_explained_next_to_the_field(clock, staff_client):
    training = make_training(1)
    response = staff_client.post(_tablet_url(training) + "/absence", data={"reason": "x"})
    assert response.status_code == 422
    assert "Choisissez « absente » ou « excusée »." in _page(response)
    assert _written() == (0, 0)


def test_the_roster_lists_the_sessions_trainees_and_what_was_recorded(clock, staff_client):
    training = make_training(2)
    clock.move_to(DURING_MORNING, tick=False)
    staff_client.post(_tablet_url(training), data={"signature": drawing()})
    roster = staff_client.get(
        f"/gestion/evenements/{training.event_id}/sessions/{training.session_ids[0]}/emargement"
    )
    sessions = staff_client.get(f"/gestion/evenements/{training.event_id}/emargement")

    text = _page(roster)
    assert "Élodie Dupré" in text and "François Lefèvre" in text
    assert "Signé à 10 h" in text
    assert "Faire signer" in text
    assert sessions.status_code == 200
    assert "Feuille signée (PDF)" in _page(sessions)


def test_erasing_a_person_deletes_their_drawn_signatures_and_keeps_the_attendance(clock, client):
    from instant_coorace.privacy.requests import erase
    from instant_coorace.registrations.models import Registration

    training = make_training(1)
    clock.move_to(DURING_MORNING, tick=False)
    url = f"/inscription/{training.tokens[0]}/emargement/{training.session_ids[0]}"
    client.post(url, data={"signature": drawing()})
    assert _written() == (1, 1)
    clock.move_to(DURING_MORNING + dt.timedelta(days=2), tick=False)  # the training is over

    erase(db.session.get(Registration, training.registration_ids[0]).person_id)

    assert _written() == (1, 0)
