"""Certificates: the hours actually attended, the Ministry's fields read back
from the PDF, all of them in a zip, and by mail with the PDF attached."""

from __future__ import annotations

import email
import io
import zipfile
from email import policy
from pathlib import Path

from sqlalchemy import select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus
from instant_coorace.attendance.records import Observation, record
from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.events.models import EventKind
from instant_coorace.extensions import db
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.worker import run_jobs
from instant_coorace.registrations.services import cancel
from instant_coorace.transactions import write_transaction
from tests import attendance_paperwork
from tests.attendance_paperwork import DURING_MORNING, drawing, make_training, pdf_text

clock = attendance_paperwork.clock
CERTIFICATE_MAILS = OutgoingMail.purpose == "attendance_certificate"


def _attended(training, registration: int, session: int, minutes: int | None) -> None:
    with write_transaction():
        record(
            [
                Observation(
                    training.registration_ids[registration],
                    training.session_ids[session],
                    AttendanceStatus.PRESENT,
                    AttendanceSource.REPORT if minutes else AttendanceSource.CHECK_IN,
                    minutes_attended=minutes,
                )
            ]
        )


def _signed_morning_and_imported_afternoon(clock, staff_client):
    """Élodie signs the morning (3 h 30) and a report gives her 95 minutes of
    the afternoon; François is checked in the afternoon only, without minutes."""
    training = make_training(3)
    clock.move_to(DURING_MORNING, tick=False)
    url = (
        f"/gestion/evenements/{training.event_id}/sessions/{training.session_ids[0]}"
        f"/emargement/{training.registration_ids[0]}"
    )
    assert staff_client.post(url, data={"signature": drawing()}).status_code == 302
    _attended(training, 0, 1, 95)
    _attended(training, 1, 1, None)
    return training


def _certificate(staff_client, training, registration: int):
    return staff_client.get(
        f"/gestion/evenements/{training.event_id}/certificats/"
        f"{training.registration_ids[registration]}.pdf"
    )


def test_the_certificate_holds_the_ministrys_fields_and_the_hours_attended(
    clock, make_app, staff_client, app
):
    app.config["TRAINING_DECLARATION_NUMBER"] = "76 31 01234 31"
    training = _signed_morning_and_imported_afternoon(clock, staff_client)

    response = _certificate(staff_client, training, 0)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "CERTIFICAT DE RÉALISATION" in text
    assert "Coorace Occitanie" in text
    assert "76 31 01234 31" in text
    assert "Élodie Dupré" in text
    assert "Régie de quartier Émeraude" in text
    assert "Accompagner vers l'emploi : les fondamentaux de l'IAE" in text
    assert "☒ Action de formation" in text
    assert "le mercredi 4 mars 2026" in text
    assert "5 h 05 (heures réellement suivies)" in text  # 210 + 95 minutes
    assert "Maison de l'économie sociale" in text
    assert "Cachet et signature" in text


def test_present_without_minutes_counts_the_whole_session(clock, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)
    text = pdf_text(_certificate(staff_client, training, 1).data)
    assert "François Lefèvre" in text
    assert "3 h 30 (heures réellement suivies)" in text


def test_no_certificate_without_attendance_or_for_a_cancelled_registration(clock, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)
    assert _certificate(staff_client, training, 2).status_code == 404
    cancel(training.registration_ids[1])
    assert _certificate(staff_client, training, 1).status_code == 404


def test_the_list_shows_hours_and_the_zip_holds_one_pdf_per_present_trainee(clock, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)

    page = staff_client.get(f"/gestion/evenements/{training.event_id}/certificats")
    response = staff_client.get(f"/gestion/evenements/{training.event_id}/certificats.zip")

    assert "5 h 05" in page.get_data(as_text=True)
    assert "Aucune présence enregistrée" in page.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(archive.namelist())
        texts = [pdf_text(archive.read(name)) for name in names]
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    assert any("Élodie Dupré" in text for text in texts)
    assert any("François Lefèvre" in text for text in texts)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.CERTIFICATES_DOWNLOADED)
    ).one()
    assert sorted(entry.details["inscriptions"]) == sorted(training.registration_ids[:2])


def test_other_events_get_an_attestation_de_presence(clock, staff_client):
    training = make_training(1, kind=EventKind.ATELIER_COLLECTIF)
    _attended(training, 0, 0, 150)

    text = pdf_text(_certificate(staff_client, training, 0).data)

    assert "ATTESTATION DE PRÉSENCE" in text
    assert "Atelier collectif" in text
    assert "2 h 30" in text
    assert "CERTIFICAT" not in text


def test_a_certificate_sent_by_mail_carries_the_pdf_made_at_delivery(clock, app, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)
    send = f"/gestion/evenements/{training.event_id}/certificats/envoi"

    staff_client.post(send, data={"registration_id": training.registration_ids[0]})
    staff_client.post(send, data={"registration_id": training.registration_ids[0]})  # twice
    mail = db.session.scalars(select(OutgoingMail).where(CERTIFICATE_MAILS)).one()
    assert mail.status is MailStatus.PENDING
    run_jobs()

    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status is MailStatus.SENT
    (eml,) = (Path(app.instance_path) / "mail").glob("*-attendance_certificate.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"] == (
        "Votre certificat de réalisation : Accompagner vers l'emploi : les fondamentaux de l'IAE"
    )
    (attachment,) = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    assert "Élodie Dupré" in text and "5 h 05" in text
    assert "certificat de réalisation" in message.get_body(("plain",)).get_content()


def test_send_to_all_queues_one_mail_per_trainee_with_attendance(clock, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)
    staff_client.post(f"/gestion/evenements/{training.event_id}/certificats/envoi", data={})
    recipients = db.session.scalars(
        select(OutgoingMail.registration_id).where(CERTIFICATE_MAILS)
    ).all()
    assert sorted(recipients) == sorted(training.registration_ids[:2])


def test_a_mail_whose_registration_was_cancelled_since_is_not_sent(clock, staff_client):
    training = _signed_morning_and_imported_afternoon(clock, staff_client)
    staff_client.post(
        f"/gestion/evenements/{training.event_id}/certificats/envoi",
        data={"registration_id": training.registration_ids[0]},
    )
    cancel(training.registration_ids[0])
    run_jobs()
    db.session.expire_all()
    mails = db.session.scalars(select(OutgoingMail).where(CERTIFICATE_MAILS)).all()
    assert [mail.status for mail in mails] == [MailStatus.CANCELLED]
