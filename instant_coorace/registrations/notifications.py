"""What a registrant is told, and when.

Each change writes its mails as ``pending`` rows in its own transaction (the
mail exists if and only if the change was committed), with just what is needed
to render them; the worker renders them right before delivery (see
``mail/rendering.py``), so the registration path, which holds the event's lock,
pays for a row, not for templates and calendars. A mail that no longer applies
when it is rendered (an invitation to a seat given up since) is not sent.
Deduplication keys make a repeated call harmless.

Calendar SEQUENCE: every message carries the event's ``calendar_sequence`` as
it is when rendered; whoever changes what a calendar holds raises it first
(see ``calendar/ics.py``).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence

from flask import current_app, render_template
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instant_coorace.attendance.join_links import join_link
from instant_coorace.attendance.qr import check_in_qr_for_mail
from instant_coorace.calendar import ics
from instant_coorace.calendar.entries import (
    CalendarEntry,
    RemovedSession,
    removed_session_entries,
    session_entries,
    session_uid,
)
from instant_coorace.events.changes import EventChanges, SessionChange
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date
from instant_coorace.mail.message import parse_sender
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.outbox import (
    CalendarAttachment,
    Recipient,
    enqueue_pending,
    mail_key,
    withdraw,
)
from instant_coorace.mail.rendering import Rendered, register_renderer
from instant_coorace.markdown import render_markdown
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import (
    ACTIVE_STATUSES,
    Registrant,
    Registration,
    RegistrationStatus,
)
from instant_coorace.registrations.placement import structure_seats_taken
from instant_coorace.registrations.tokens import manage_link


class Notice(enum.StrEnum):
    CONFIRMED = "registration_confirmed"
    WAITLISTED = "registration_waitlisted"
    PROMOTED = "registration_promoted"
    CANCELLED = "registration_cancelled"
    LINK_RESENT = "link_resent"
    EVENT_CHANGED = "event_changed"
    SESSIONS_REMOVED = "sessions_removed"
    EVENT_CANCELLED = "event_cancelled"
    SEAT_HANDED_OVER = "seat_handed_over"
    SEAT_RECEIVED = "seat_received"
    STAFF_MESSAGE = "staff_message"
    SESSION_INVITATION = "session_invitation"
    """One session's invitation (or its cancellation), when an event has several."""


SUBJECTS = {
    Notice.CONFIRMED: "Inscription confirmée : {title} – {date}",
    Notice.WAITLISTED: "Liste d'attente : {title} – {date}",
    Notice.PROMOTED: "Une place s'est libérée : vous êtes inscrit·e à {title}",
    Notice.CANCELLED: "Désinscription enregistrée : {title} – {date}",
    Notice.LINK_RESENT: "Votre lien d'inscription : {title} – {date}",
    Notice.EVENT_CHANGED: "Modification : {title} – {date}",
    Notice.SESSIONS_REMOVED: "Session supprimée : {title} – {date}",
    Notice.EVENT_CANCELLED: "Annulation : {title} – {date}",
    Notice.SEAT_HANDED_OVER: "Place transmise : {title} – {date}",
    Notice.SEAT_RECEIVED: "Une place vous a été transmise : {title} – {date}",
}


@dataclasses.dataclass(frozen=True)
class Addressee:
    """Whom a mail about a registration goes to."""

    person_id: int
    email: str
    name: str

    @classmethod
    def of(cls, registrant: Registrant) -> Addressee:
        return cls(registrant.person_id, registrant.email, registrant.full_name)


def registration_placed(
    registration_id: int,
    event_id: int,
    status: RegistrationStatus,
    link_nonce: str,
    addressee: Addressee,
) -> None:
    """Just registered: confirmed (with the invitation) or on the waiting list.

    Takes plain values, not the registration: the registration path writes with
    Core statements (see ``placement.py``).
    """
    if status is RegistrationStatus.CONFIRMED:
        _queue(
            registration_id, event_id, addressee, Notice.CONFIRMED, link_nonce, calendar="REQUEST"
        )
    else:
        _queue(registration_id, event_id, addressee, Notice.WAITLISTED, link_nonce)


def promoted(registration: Registration) -> None:
    _send(registration, Notice.PROMOTED, registration.token_nonce, calendar="REQUEST")


def cancelled(registration: Registration, was_confirmed: bool) -> None:
    """The person cancelled: what their calendar holds is taken off it. Someone
    who cancels before their invitations left gets them withdrawn and one short
    acknowledgement, not the cancellation of entries they never had."""
    held = _take_back_invitations(registration, registration.person)
    _send(
        registration,
        Notice.CANCELLED,
        registration.token_nonce,
        calendar="CANCEL" if held else None,
        sessions=held,
        was_confirmed=was_confirmed,
    )


def link_resent(registration: Registration, hour_key: str) -> None:
    """Someone registered again with the same address: send the link, at most hourly."""
    _send(registration, Notice.LINK_RESENT, f"{registration.token_nonce}:{hour_key}")


def event_changed(
    event: Event, changes: EventChanges, removed_sessions: Sequence[RemovedSession] = ()
) -> None:
    """Date, time, place or link changed: everyone registered is told what, before
    and after. A confirmed seat gets one mail carrying the first updated session's
    invitation, then one invitation for each other updated session (not for those
    unchanged), plus a cancellation of the sessions deleted from the event (one
    iTIP message carries one method). The waiting list is told what it can see:
    nothing about the join link."""
    removed = [session.as_args() for session in removed_sessions]
    updated = [session_uid(session_id) for session_id in changes.updated_sessions(event)]
    for registration in _active_registrations(event):
        confirmed = registration.status is RegistrationStatus.CONFIRMED
        visible = changes if confirmed else changes.without_link()
        if visible and (updated or not confirmed):
            _send(
                registration,
                Notice.EVENT_CHANGED,
                event.calendar_sequence,
                calendar="REQUEST" if confirmed else None,
                sessions=updated if confirmed else None,
                changes=visible.as_args(),
            )
        if confirmed and removed:
            _send(
                registration,
                Notice.SESSIONS_REMOVED,
                event.calendar_sequence,
                calendar="CANCEL",
                removed_sessions=removed,
            )


def event_cancelled(event: Event) -> None:
    """Everyone registered is told; calendars lose what they hold of the event, and
    invitations not delivered yet are withdrawn."""
    for registration in _active_registrations(event):
        held = _take_back_invitations(registration, registration.person)
        _send(
            registration,
            Notice.EVENT_CANCELLED,
            event.calendar_sequence,
            calendar="CANCEL" if held else None,
            sessions=held,
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


def seat_handed_over(registration: Registration, previous: Registrant) -> None:
    """Both persons: the previous one loses the entry, the colleague gets it.

    Call after the registration has passed to the colleague (and its link was
    re-issued); ``previous`` (as the registration named them) is told under the
    old link's version.
    """
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    held = _take_back_invitations(registration, previous)
    _send(
        registration,
        Notice.SEAT_HANDED_OVER,
        f"{registration.token_nonce}:{previous.person_id}",
        calendar="CANCEL" if held else None,
        sessions=held,
        with_link=False,
        addressee=Addressee.of(previous),
        colleague_name=registration.full_name,
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
    return _send(registration, Notice.STAFF_MESSAGE, send_key, subject=subject, markdown=markdown)


def _send(
    registration: Registration,
    notice: Notice,
    version: int | str,
    *,
    addressee: Addressee | None = None,
    **options: object,
) -> bool:
    """Queue ``notice`` about ``registration`` to its registrant (or to ``addressee``);
    tells whether it was queued (``False``: that version was sent already)."""
    addressee = addressee or Addressee.of(registration.registrant)
    return _queue(registration.id, registration.event_id, addressee, notice, version, **options)


def _queue(
    registration_id: int,
    event_id: int,
    addressee: Addressee,
    notice: Notice,
    version: int | str,
    *,
    calendar: ics.Method | None = None,
    sessions: list[str] | None = None,
    with_link: bool = True,
    **extra: object,
) -> bool:
    """``sessions``: the UIDs of the sessions its calendar messages are about,
    when not all of the event's."""
    mail_id = enqueue_pending(
        purpose=notice.value,
        dedup_key=mail_key(notice.value, registration_id, version),
        recipient=Recipient(addressee.email, addressee.name),
        render_args={
            "person_id": addressee.person_id,
            "calendar": calendar,
            "sessions": sessions,
            "with_link": with_link,
            "extra": extra,
        },
        registration_id=registration_id,
        event_id=event_id,
    )
    return mail_id is not None


def render(mail: OutgoingMail) -> Rendered | None:
    """The mail as it is sent, from the registration as it is now; ``None`` when it
    no longer applies."""
    notice = Notice(mail.purpose)
    args = mail.render_args
    registration = db.session.get(Registration, mail.registration_id or 0)
    person = db.session.get(Person, args["person_id"])
    if registration is None or person is None or _obsolete(notice, registration, person, args):
        return None
    event = registration.event
    holder = registration.person_id == person.id
    # The registrant is greeted and invited under the name given for this
    # registration; someone who gave it away, under their own record.
    greeted = registration.registrant if holder else person
    manage_url = manage_link(mail.dedup_key, registration) if args["with_link"] and holder else None
    # Imported here: following reads registrations, which import this module.
    from instant_coorace.invitations.following import series_follow_link

    confirmed = notice is Notice.CONFIRMED
    follow_url = series_follow_link(mail.dedup_key, registration) if confirmed else None
    extra = args["extra"]
    changes = EventChanges.from_args(extra["changes"]) if "changes" in extra else None
    removed = [RemovedSession.from_args(r) for r in extra.get("removed_sessions", [])]
    removed_entries = removed_session_entries(event, removed) if removed else None
    show_visio_link = (
        holder and registration.shows_visio_link and notice is not Notice.EVENT_CANCELLED
    )
    # The personal tracked link (attendance/join_links.py), never the raw visio URL.
    join_url = join_link(mail.dedup_key, registration) if show_visio_link else None
    method = args["calendar"]
    entries, separate = [], 0
    if method:
        all_entries = removed_entries or session_entries(
            event, show_visio_link=True, management_url=manage_url, join_url=join_url
        )
        entries, separate = _this_mails_session(mail, all_entries)
        if not entries:
            return None  # the session of this invitation was deleted since
    subject = extra.get("subject") or _subject(notice, event, method, entries, extra)
    context = {
        "subject": subject,
        "event": event,
        "registration": registration,
        "person": greeted,
        "manage_url": manage_url,
        "waits_for_structure_seat": notice is Notice.WAITLISTED
        and structure_seats_taken(registration),
        "series_follow_url": follow_url,
        "check_in_qr": check_in_qr_for_mail(mail.dedup_key, registration)
        if holder and notice is Notice.CONFIRMED
        else None,
        "show_visio_link": show_visio_link,
        "join_url": join_url,
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
        "message_text": extra.get("markdown", ""),
        "message_html": render_markdown(extra.get("markdown", "")),
        **extra,
        "changes": changes,
        "session_change": _change_of(changes, entries[0]) if changes and entries else None,
        "removed_entries": removed_entries,
        "calendar_method": method,
        "calendar_entry": entries[0] if entries else None,
        "separate_invitations": separate,
    }
    return Rendered(
        subject=subject,
        text_body=render_template(f"email/{notice.value}.txt", **context),
        html_body=render_template(f"email/{notice.value}.html", **context),
        calendar=_calendar(registration, greeted, method, entries[0]) if method else None,
    )


def _change_of(changes: EventChanges, entry: CalendarEntry) -> SessionChange | None:
    """How the session of ``entry`` moved, if it did."""
    return next((c for c in changes.sessions if session_uid(c.session_id) == entry.uid), None)


def _subject(
    notice: Notice, event: Event, method: str | None, entries: list[CalendarEntry], extra: dict
) -> str:
    if notice is Notice.SESSION_INVITATION:
        [entry] = entries
        word = "Invitation" if method == "REQUEST" else "Retrait de l'agenda"
        return (
            f"{word} {extra['position']}/{extra['count']} : {event.title} – "
            f"{french_date(entry.starts_at)}"
        )
    return SUBJECTS[notice].format(
        title=event.title, date=french_date(event.starts_at) if event.starts_at else ""
    )


def _this_mails_session(
    mail: OutgoingMail, entries: list[CalendarEntry]
) -> tuple[list[CalendarEntry], int]:
    """The one session ``mail`` is about (iTIP: one UID per message), among the
    event's ``entries`` or those its ``sessions`` name, and how many others were
    queued in messages of their own."""
    chosen = mail.render_args.get("session_uid")
    if chosen:
        return [entry for entry in entries if entry.uid == chosen], 0
    wanted = mail.render_args.get("sessions")
    concerned = entries if wanted is None else [entry for entry in entries if entry.uid in wanted]
    if len(concerned) > 1:
        _invite_separately(mail, concerned[1:], entries)
    return concerned[:1], len(concerned) - 1


def _invite_separately(
    mail: OutgoingMail, others: list[CalendarEntry], entries: list[CalendarEntry]
) -> None:
    """iTIP wants one UID per message (RFC 5546, 3.2.2): when ``mail`` would carry
    several sessions, it carries the first, and each other session gets its own
    message, rendered and sent right after it, numbered among the ``entries``."""
    for entry in others:
        position, count = entries.index(entry) + 1, len(entries)
        enqueue_pending(
            purpose=Notice.SESSION_INVITATION.value,
            dedup_key=mail_key(
                Notice.SESSION_INVITATION.value, mail.registration_id, f"{mail.id}:{entry.uid}"
            ),
            recipient=Recipient(mail.to_email, mail.to_name),
            render_args=mail.render_args
            | {
                "session_uid": entry.uid,
                "extra": mail.render_args["extra"] | {"position": position, "count": count},
            },
            registration_id=mail.registration_id,
            event_id=mail.event_id,
        )


_UNDELIVERED = (MailStatus.PENDING, MailStatus.QUEUED, MailStatus.FAILED)
_DELIVERED = (MailStatus.SENDING, MailStatus.SENT)


def _take_back_invitations(registration: Registration, person: Person | Registrant) -> list[str]:
    """Withdraw the invitations about ``registration`` not yet delivered to
    ``person``; return the sessions (UIDs, in time order) their calendar holds
    from us: those whose last message delivered to them was an invitation. Only
    those need a cancellation.

    Repeated until nothing is left to withdraw: a worker rendering a confirmation
    at this moment adds the invitations of its other sessions, which the next
    pass sees. A mail a worker is sending already counts as delivered.
    """
    while undelivered := [
        mail.id
        for mail in _calendar_mails(registration.id, person.email)
        if mail.status in _UNDELIVERED and _method(mail) == "REQUEST"
    ]:
        if not withdraw(undelivered, "Retiré avant l'envoi : l'invitation ne s'applique plus."):
            break
    last_method: dict[str, str] = {}
    for mail in _calendar_mails(registration.id, person.email):
        if mail.status in _DELIVERED and mail.calendar_text:
            for vevent in Calendar.from_ical(mail.calendar_text).walk("VEVENT"):
                last_method[str(vevent["UID"])] = mail.calendar_method
    sessions = sorted(registration.event.sessions, key=lambda s: (s.starts_at, s.id))
    uids = [session_uid(session.id) for session in sessions]
    return [uid for uid in uids if last_method.get(uid) == "REQUEST"]


def _calendar_mails(registration_id: int, email: str) -> list:
    return list(
        db.session.execute(
            select(
                OutgoingMail.id,
                OutgoingMail.status,
                OutgoingMail.render_args,
                OutgoingMail.calendar_method,
                OutgoingMail.calendar_text,
            )
            .where(OutgoingMail.registration_id == registration_id, OutgoingMail.to_email == email)
            .order_by(OutgoingMail.id)
        )
    )


def _method(mail) -> str | None:
    """The iTIP method a mail carries, or will carry once rendered."""
    if mail.status is MailStatus.PENDING:
        return (mail.render_args or {}).get("calendar")
    return mail.calendar_method


def _obsolete(notice: Notice, registration: Registration, person: Person, args: dict) -> bool:
    """Whether what the mail says stopped being true before it could be sent."""
    holds_seat = (
        registration.person_id == person.id
        and registration.status is RegistrationStatus.CONFIRMED
        and registration.event.status is not EventStatus.CANCELLED
    )
    if args["calendar"] == "REQUEST":
        return not holds_seat
    if notice is Notice.WAITLISTED:
        return registration.status is not RegistrationStatus.WAITLISTED
    if notice is Notice.CANCELLED:
        return registration.status in ACTIVE_STATUSES
    return False


def _calendar(
    registration: Registration,
    attendee: Registrant | Person,
    method: ics.Method,
    entry: CalendarEntry,
) -> CalendarAttachment:
    organizer = parse_sender(current_app.config["MAIL_DEFAULT_SENDER"])
    text = ics.invitation(
        registration.event,
        registration,
        method,
        organizer_email=organizer.addr_spec,
        organizer_name=organizer.display_name,
        entry=entry,
        attendee=attendee,
    )
    return CalendarAttachment(text.decode())


def preload(mails: list[OutgoingMail]) -> list[object]:
    """Everything ``render`` reads for a batch, in four queries."""
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_({mail.registration_id for mail in mails}))
        .options(
            selectinload(Registration.event).selectinload(Event.sessions),
            selectinload(Registration.event).selectinload(Event.programme),
        )
    ).all()
    people = db.session.scalars(
        select(Person).where(Person.id.in_({mail.render_args["person_id"] for mail in mails}))
    ).all()
    return [*registrations, *people]


for _notice in Notice:
    register_renderer(_notice.value, render, preload)
