"""Proof of attendance per registrant: the « certificat de réalisation » of a
training (the fields of the Ministry of Labour's model, which OPCO funders
ask for) or, for any other kind of event, an « attestation de présence ».

The hours are those actually attended: per session recorded present, the
minutes a report or join link measured, or the whole session when it was
signed or checked in without a duration. A registrant with none gets no
certificate. Each PDF is made when asked for (download, zip, mail at
delivery): nothing is stored that could go stale.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections import defaultdict

from flask import current_app, render_template
from fpdf import FPDF
from sqlalchemy import select

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.attendance.pdf_documents import FAMILY, as_bytes, new_document
from instant_coorace.attendance.sheets import place
from instant_coorace.attendance.signatures import confirmed_registrants, signs_in
from instant_coorace.audit.models import AuditAction
from instant_coorace.audit.services import record as audit
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventSession
from instant_coorace.events.services import slugify
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date, french_date_span
from instant_coorace.labels import EVENT_KIND
from instant_coorace.mail.attachments import Attachment, register_attachment
from instant_coorace.mail.outbox import Recipient, enqueue_pending, mail_key
from instant_coorace.mail.rendering import Rendered, register_renderer
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.transactions import write_transaction

CERTIFICATE_MAIL = "attendance_certificate"
ACTION_NATURES = (
    "Action de formation",
    "Bilan de compétences",
    "Action de VAE",
    "Action de formation par apprentissage",
)


class CertificateUnavailable(Exception):
    """No certificate here: no such event, a registrant not confirmed, or no attendance."""


@dataclasses.dataclass(frozen=True)
class CertificateLine:
    registration: Registration
    minutes: int

    @property
    def has_certificate(self) -> bool:
        return self.minutes > 0


def is_training(event: Event) -> bool:
    return signs_in(event)


def document_name(event: Event) -> str:
    return "certificat de réalisation" if is_training(event) else "attestation de présence"


def duration_words(minutes: int) -> str:
    """« 7 h », « 3 h 30 », « 45 min »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"


def minutes_attended(event_id: int, registration_ids: set[int] | None = None) -> dict[int, int]:
    """Minutes each registrant of the event attended (one query)."""
    query = (
        select(
            SessionAttendance.registration_id,
            SessionAttendance.minutes_attended,
            EventSession.starts_at,
            EventSession.ends_at,
        )
        .join(EventSession, EventSession.id == SessionAttendance.session_id)
        .where(
            EventSession.event_id == event_id,
            SessionAttendance.status == AttendanceStatus.PRESENT,
        )
    )
    if registration_ids is not None:
        query = query.where(SessionAttendance.registration_id.in_(registration_ids))
    totals: dict[int, int] = defaultdict(int)
    for registration_id, minutes, starts_at, ends_at in db.session.execute(query):
        if minutes is None:
            minutes = int((ends_at - starts_at).total_seconds() // 60)
        totals[registration_id] += minutes
    return totals


def certificate_lines(event_id: int) -> list[CertificateLine]:
    """Every confirmed registrant with the minutes they attended."""
    totals = minutes_attended(event_id)
    return [
        CertificateLine(registration, totals.get(registration.id, 0))
        for registration in confirmed_registrants(event_id)
    ]


def certificate_filename(registration: Registration) -> str:
    kind = "certificat" if is_training(registration.event) else "attestation"
    person = slugify(registration.full_name) or "participant"
    return f"{kind}-{registration.event.slug}-{person}-{registration.id}.pdf"


def certificate_for(event_id: int, registration_id: int) -> tuple[str, bytes]:
    """One registrant's PDF and its file name; ``CertificateUnavailable`` otherwise."""
    registration = _certified(registration_id, event_id)
    minutes = minutes_attended(event_id, {registration.id}).get(registration.id, 0)
    if not minutes:
        raise CertificateUnavailable()
    pdf = certificate_pdf(registration, minutes)
    _audit_download(registration.event, [registration.id])
    return certificate_filename(registration), pdf


def certificates_zip(event_id: int) -> tuple[str, bytes]:
    """Every certificate of the event in one zip, and its file name."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise CertificateUnavailable()
    lines = [line for line in certificate_lines(event_id) if line.has_certificate]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for line in lines:
            archive.writestr(
                certificate_filename(line.registration),
                certificate_pdf(line.registration, line.minutes),
            )
    _audit_download(event, [line.registration.id for line in lines])
    prefix = "certificats" if is_training(event) else "attestations"
    return f"{prefix}-{event.slug}.zip", buffer.getvalue()


def send_certificates(event_id: int, registration_ids: list[int] | None = None) -> int:
    """Put in the outbox the certificate of each registrant given (all of the
    event's with attendance when ``None``); returns how many mails were queued.
    Asking twice within a minute queues nothing more."""
    with write_transaction():
        lines = [
            line
            for line in certificate_lines(event_id)
            if line.has_certificate
            and (registration_ids is None or line.registration.id in registration_ids)
        ]
        version = utcnow().strftime("%Y%m%dT%H%M")
        queued = 0
        for line in lines:
            registration = line.registration
            queued += (
                enqueue_pending(
                    purpose=CERTIFICATE_MAIL,
                    dedup_key=mail_key(CERTIFICATE_MAIL, registration.id, version),
                    recipient=Recipient(registration.person.email, registration.full_name),
                    render_args={},
                    registration_id=registration.id,
                    event_id=event_id,
                )
                is not None
            )
    return queued


def certificate_pdf(registration: Registration, minutes: int) -> bytes:
    event = registration.event
    title = document_name(event).capitalize()
    pdf = new_document(f"{title} — {registration.full_name}")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.cell(0, 10, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if is_training(event):
        _training_certificate(pdf, registration, minutes)
    else:
        _attendance_certificate(pdf, registration, minutes)
    _signature_block(pdf)
    return as_bytes(pdf)


def _training_certificate(pdf: FPDF, registration: Registration, minutes: int) -> None:
    config = current_app.config
    event = registration.event
    provider = config["ORGANISATION_NAME"]
    number = config["TRAINING_DECLARATION_NUMBER"] or "(à compléter)"
    _paragraph(
        pdf,
        "Je soussigné·e, représentant·e légal·e du dispensateur de l'action concourant "
        f"au développement des compétences {provider}",
    )
    _fact(pdf, "Organisme", provider)
    if config["TRAINING_PROVIDER_ADDRESS"]:
        _fact(pdf, "Adresse", config["TRAINING_PROVIDER_ADDRESS"])
    _fact(pdf, "N° de déclaration d'activité", number)
    _paragraph(pdf, "atteste que :")
    _fact(pdf, "Bénéficiaire", registration.full_name)
    _fact(pdf, "Salarié·e de l'entreprise", registration.organisation_name or "—")
    _fact(pdf, "a suivi l'action", event.title)
    pdf.ln(2)
    _paragraph(pdf, "Nature de l'action concourant au développement des compétences :")
    for index, nature in enumerate(ACTION_NATURES):
        mark = "☒" if index == 0 else "☐"
        pdf.cell(0, 6, f"    {mark} {nature}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _fact(pdf, "qui s'est déroulée", _dates(event))
    _fact(pdf, "Lieu", place(event.sessions[0]) if event.sessions else "—")
    _fact(pdf, "pour une durée de", f"{duration_words(minutes)} (heures réellement suivies)")
    pdf.ln(3)
    _paragraph(
        pdf,
        "Sans préjudice des délais imposés par les règles fiscales, comptables ou "
        "commerciales, je m'engage à conserver l'ensemble des pièces justificatives qui "
        "ont permis d'établir le présent certificat pendant une durée de 3 ans à compter "
        "de la fin de l'année du dernier paiement. En cas de contrôle, je m'engage à "
        "fournir les documents locaux permettant d'attester de la réalisation de l'action.",
        size=8,
    )


def _attendance_certificate(pdf: FPDF, registration: Registration, minutes: int) -> None:
    event = registration.event
    _paragraph(pdf, f"{current_app.config['ORGANISATION_NAME']} atteste que :")
    _fact(pdf, "Participant·e", registration.full_name)
    _fact(pdf, "Structure", registration.organisation_name or "—")
    _fact(pdf, "a participé à", event.title)
    _fact(pdf, "Type d'événement", EVENT_KIND[event.kind])
    _fact(pdf, "Date(s)", _dates(event))
    _fact(pdf, "Lieu", place(event.sessions[0]) if event.sessions else "—")
    _fact(pdf, "Durée de présence", duration_words(minutes))


def _dates(event: Event) -> str:
    if event.starts_at is None:
        return "—"
    span = french_date_span(event.starts_at, event.ends_at)
    return span if span.startswith("du ") else f"le {span}"


def _signature_block(pdf: FPDF) -> None:
    config = current_app.config
    pdf.ln(8)
    _fact(pdf, "Fait à", config["TRAINING_PROVIDER_CITY"])
    _fact(pdf, "Le", french_date(utcnow()))
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(
        0, 6, "Cachet et signature du responsable de l'organisme", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.rect(pdf.get_x(), pdf.get_y() + 1, 85, 30)


def _paragraph(pdf: FPDF, text: str, size: int = 10) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _fact(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(60, 6.5, f"{label} :")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6.5, value, new_x="LMARGIN", new_y="NEXT")


def _certified(registration_id: int, event_id: int | None = None) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.status is not RegistrationStatus.CONFIRMED
        or (event_id is not None and registration.event_id != event_id)
    ):
        raise CertificateUnavailable()
    return registration


def _audit_download(event: Event, registration_ids: list[int]) -> None:
    with write_transaction():
        audit(
            AuditAction.CERTIFICATES_DOWNLOADED,
            f"événement {event.id} « {event.title} »",
            details={"inscriptions": registration_ids},
        )


# --- by mail ------------------------------------------------------------------


def _render_mail(mail) -> Rendered | None:
    if mail.registration_id is None:
        return None  # the registration was erased since
    try:
        registration = _certified(mail.registration_id)
    except CertificateUnavailable:
        return None
    event = registration.event
    context = {
        "subject": f"Votre {document_name(event)} : {event.title}",
        "event": event,
        "registration": registration,
        "person": registration.registrant,
        "document": document_name(event),
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
    }
    return Rendered(
        subject=context["subject"],
        text_body=render_template("email/certificate.txt", **context),
        html_body=render_template("email/certificate.html", **context),
    )


def _attachment(registration_id: int) -> Attachment | None:
    try:
        registration = _certified(registration_id)
    except CertificateUnavailable:
        return None
    minutes = minutes_attended(registration.event_id, {registration_id}).get(registration_id, 0)
    if not minutes:
        return None
    return Attachment(
        certificate_filename(registration),
        "application/pdf",
        certificate_pdf(registration, minutes),
    )


register_renderer(CERTIFICATE_MAIL, _render_mail)
register_attachment(CERTIFICATE_MAIL, _attachment)
