"""What a registrant is told, and when.

Each function renders one email (text and HTML, with the calendar invitation
or cancellation when the person's calendar must change) and puts it in the
outbox inside the caller's transaction: the mail exists if and only if the
change that caused it was committed. Deduplication keys make a repeated call
harmless.

Calendar SEQUENCE: every message carries the event's current
``calendar_sequence``; whoever changes what a calendar holds raises it first
(see ``calendar/ics.py``).
"""

from __future__ import annotations

import enum

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instant_coorace.calendar import ics
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date
from instant_coorace.mail.message import parse_sender
from instant_coorace.mail.outbox import CalendarAttachment, Recipient, enqueue, mail_key
from instant_coorace.markdown import render_markdown
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationStatus,
)
from instant_coorace.registrations.tokens import management_token
from instant_coorace.urls import absolute_url


class Notice(enum.StrEnum):
    CONFIRMED = "registration_confirmed"
    WAITLISTED = "registration_waitlisted"
    PROMOTED = "registration_promoted"
    CANCELLED = "registration_cancelled"
    LINK_RESENT = "link_resent"
    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    SEAT_HANDED_OVER = "seat_handed_over"
    SEAT_RECEIVED = "seat_received"
    STAFF_MESSAGE = "staff_message"


SUBJECTS = {
    Notice.CONFIRMED: "Inscription confirmée : {title} – {date}",
    Notice.WAITLISTED: "Liste d'attente : {title} – {date}",
    Notice.PROMOTED: "Une place s'est libérée : vous êtes inscrit·e à {title}",
    Notice.CANCELLED: "Désinscription enregistrée : {title} – {date}",
    Notice.LINK_RESENT: "Votre lien d'inscription : {title} – {date}",
    Notice.EVENT_CHANGED: "Modification : {title} – {date}",
    Notice.EVENT_CANCELLED: "Annulation : {title} – {date}",
    Notice.SEAT_HANDED_OVER: "Place transmise : {title} – {date}",
    Notice.SEAT_RECEIVED: "Une place vous a été transmise : {title} – {date}",
}


def registration_placed(registration: Registration) -> None:
    """Just registered: confirmed (with the invitation) or on the waiting list."""
    if registration.status is RegistrationStatus.CONFIRMED:
        _send(registration, Notice.CONFIRMED, registration.token_nonce, calendar="REQUEST")
    else:
        _send(registration, Notice.WAITLISTED, registration.token_nonce)


def promoted(registration: Registration) -> None:
    _send(registration, Notice.PROMOTED, registration.token_nonce, calendar="REQUEST")


def cancelled(registration: Registration, was_confirmed: bool) -> None:
    """The person cancelled; a confirmed seat is also taken off their calendar."""
    _send(
        registration,
        Notice.CANCELLED,
        registration.token_nonce,
        calendar="CANCEL" if was_confirmed else None,
    )


def link_resent(registration: Registration, hour_key: str) -> None:
    """Someone registered again with the same address: send the link, at most hourly."""
    _send(registration, Notice.LINK_RESENT, f"{registration.token_nonce}:{hour_key}")


def event_changed(event: Event) -> None:
    """Date, time, place or link changed: everyone registered is told, and
    confirmed seats get the updated invitation."""
    for registration in _active_registrations(event):
        confirmed = registration.status is RegistrationStatus.CONFIRMED
        _send(
            registration,
            Notice.EVENT_CHANGED,
            event.calendar_sequence,
            calendar="REQUEST" if confirmed else None,
        )


def event_cancelled(event: Event) -> None:
    for registration in _active_registrations(event):
        confirmed = registration.status is RegistrationStatus.CONFIRMED
        _send(
            registration,
            Notice.EVENT_CANCELLED,
            event.calendar_sequence,
            calendar="CANCEL" if confirmed else None,
        )


def _active_registrations(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(ACTIVE_STATUSES),
            )
            .options(selectinload(Registration.person))
            .order_by(Registration.id)
        )
    )


def seat_handed_over(registration: Registration, previous: Person, colleague: Person) -> None:
    """Both persons: the previous one loses the entry, the colleague gets it.

    Call after the registration has passed to ``colleague`` (and its link was
    re-issued); ``previous`` is told under the old link's version.
    """
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    _send(
        registration,
        Notice.SEAT_HANDED_OVER,
        f"{registration.token_nonce}:{previous.id}",
        calendar="CANCEL" if was_confirmed else None,
        with_link=False,
        person=previous,
        colleague_name=colleague.full_name,
    )
    _send(
        registration,
        Notice.SEAT_RECEIVED,
        registration.token_nonce,
        calendar="REQUEST" if was_confirmed else None,
        previous_name=previous.full_name,
    )


def staff_message(registration: Registration, subject: str, markdown: str, send_key: str) -> bool:
    """A message the team writes to registrants; ``send_key`` identifies one sending,
    so submitting the same form twice does not send it twice. Tells whether it was queued."""
    return _send(
        registration,
        Notice.STAFF_MESSAGE,
        send_key,
        subject=subject,
        message_text=markdown,
        message_html=render_markdown(markdown),
    )


def _send(
    registration: Registration,
    notice: Notice,
    version: int | str,
    *,
    calendar: ics.Method | None = None,
    with_link: bool = True,
    person: Person | None = None,
    subject: str | None = None,
    **extra: str,
) -> bool:
    event = registration.event
    person = person or registration.person
    config = current_app.config
    manage_url = (
        absolute_url("registrations.manage", token=management_token(registration))
        if with_link
        else None
    )
    subject = subject or SUBJECTS[notice].format(
        title=event.title, date=french_date(event.starts_at) if event.starts_at else ""
    )
    context = {
        "subject": subject,
        "event": event,
        "registration": registration,
        "person": person,
        "manage_url": manage_url,
        "show_visio_link": registration.shows_visio_link and notice is not Notice.EVENT_CANCELLED,
        "organisation": config["ORGANISATION_NAME"],
        "contact_email": config["CONTACT_EMAIL"],
        **extra,
    }
    mail = enqueue(
        purpose=notice.value,
        dedup_key=mail_key(notice.value, registration.id, version),
        recipient=Recipient(person.email, person.full_name),
        subject=subject,
        text_body=render_template(f"email/{notice.value}.txt", **context),
        html_body=render_template(f"email/{notice.value}.html", **context),
        calendar=_calendar(registration, person, calendar, manage_url) if calendar else None,
        registration_id=registration.id,
        event_id=event.id,
    )
    return mail is not None


def _calendar(
    registration: Registration, attendee: Person, method: ics.Method, manage_url: str | None
) -> CalendarAttachment:
    organizer = parse_sender(current_app.config["MAIL_DEFAULT_SENDER"])
    text = ics.invitation(
        registration.event,
        registration,
        method,
        organizer_email=organizer.addr_spec,
        organizer_name=organizer.display_name,
        management_url=manage_url,
        attendee=attendee,
    )
    return CalendarAttachment(text.decode())
