"""The reminder and follow-up mails: queued by the scan, rendered by the worker.

Both are written as ``pending`` rows holding just their due time; the worker
renders them right before delivery (``mail/rendering.py``) from the event as
it is then, and cancels one that stopped applying: a cancelled seat or event,
a reminder turned off, an event moved since (its new due time has a mail of
its own), an address unsubscribed since (follow-up only).

Reminders are transactional (they go to unsubscribed addresses too) and carry
the event card of the confirmation, join link included for online events, and
the calendar invitation again (same UID, the current SEQUENCE). The follow-up
is not transactional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instant_coorace.attendance.join_links import join_link
from instant_coorace.attendance.qr import check_in_qr_for_mail
from instant_coorace.calendar import ics
from instant_coorace.calendar.entries import session_entries
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventFormat, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date, french_datetime, french_time
from instant_coorace.invitations.unsubscribe import enqueue_optional, optional_renderer
from instant_coorace.mail.message import parse_sender
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.outbox import (
    CalendarAttachment,
    Recipient,
    enqueue_pending,
    withdraw,
)
from instant_coorace.mail.rendering import Rendered, register_renderer
from instant_coorace.markdown import render_markdown
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.registrations.tokens import manage_link
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.reminders.recipients import Seat
from instant_coorace.reminders.schedule import (
    FOLLOW_UP,
    ReminderKind,
    choices_of,
    reminder_due,
)

DROPPED = "Abandonné"
"""How the outbox's reason of a dropped reminder begins (the team's overview counts them)."""

SUBJECTS = {
    ReminderKind.WEEK_BEFORE: "Dans une semaine : {title} – {when}",
    ReminderKind.DAY_BEFORE: "C'est demain : {title} – {when}",
    ReminderKind.HOUR_BEFORE: "Dans une heure : {title} – {when}",
}
FOLLOW_UP_SUBJECT = "Merci de votre participation : {title}"
PURPOSES = (*(kind.value for kind in ReminderKind), FOLLOW_UP)


def used_keys(event_ids: Collection[int]) -> set[str]:
    """The keys of every reminder and follow-up already in the outbox for these events."""
    return set(
        db.session.scalars(
            select(OutgoingMail.dedup_key).where(
                OutgoingMail.event_id.in_(event_ids), OutgoingMail.purpose.in_(PURPOSES)
            )
        )
    )


def queue_reminder(purpose: str, key: str, seat: Seat, due_at: dt.datetime) -> int | None:
    return _pending(purpose, key, seat, {"due_at": due_at.isoformat()})


def queue_follow_up(key: str, seat: Seat) -> int | None:
    """The one place the follow-up is queued. It is not transactional: nothing
    for an unsubscribed address, and a one-click unsubscribe link and headers
    (``invitations/unsubscribe.py``) on the others."""
    return enqueue_optional(
        purpose=FOLLOW_UP,
        dedup_key=key,
        recipient=Recipient(seat.email, seat.name),
        render_args={},
        registration_id=seat.registration_id,
        event_id=seat.event_id,
    )


def record_dropped(
    purpose: str, key: str, seat: Seat, due_at: dt.datetime, late: dt.timedelta, grace: dt.timedelta
) -> None:
    """Take the key, so it is never sent, and leave the reason for the team to see."""
    mail_id = _pending(purpose, key, seat, {"due_at": due_at.isoformat()})
    if mail_id is not None:
        minutes = int(late.total_seconds() // 60)
        withdraw(
            [mail_id],
            f"{DROPPED} : prévu le {french_datetime(due_at)}, trouvé {minutes} min plus tard "
            f"(au-delà du délai de {int(grace.total_seconds() // 60)} min) ; non envoyé.",
        )


def _pending(purpose: str, key: str, seat: Seat, args: dict) -> int | None:
    return enqueue_pending(
        purpose=purpose,
        dedup_key=key,
        recipient=Recipient(seat.email, seat.name),
        render_args=args,
        registration_id=seat.registration_id,
        event_id=seat.event_id,
    )


def render_reminder(mail: OutgoingMail) -> Rendered | None:
    kind = ReminderKind(mail.purpose)
    registration = _confirmed_registration(mail)
    if registration is None:
        return None
    event = registration.event
    plan = db.session.get(ReminderPlan, event.id)
    due_at = dt.datetime.fromisoformat(mail.render_args["due_at"])
    if (
        kind not in choices_of(event.format, plan).kinds
        or reminder_due(kind, event.starts_at) != due_at
        or event.starts_at <= utcnow()
    ):
        return None
    manage_url = manage_link(mail.dedup_key, registration)
    show_visio_link = registration.shows_visio_link
    # The personal tracked link (attendance/join_links.py), never the raw visio URL.
    join_url = join_link(mail.dedup_key, registration) if show_visio_link else None
    entries = session_entries(
        event, show_visio_link=show_visio_link, management_url=manage_url, join_url=join_url
    )
    subject = SUBJECTS[kind].format(title=event.title, when=french_datetime(event.starts_at))
    context = _context(registration, subject) | {
        "lead": _lead(kind, event, show_visio_link),
        "manage_url": manage_url,
        "show_visio_link": show_visio_link,
        "join_url": join_url,
        "in_person": event.format is not EventFormat.ONLINE,
        "access_info": plan.access_info if plan else "",
        "check_in_qr": check_in_qr_for_mail(mail.dedup_key, registration),
        "calendar_method": "REQUEST",
    }
    organizer = parse_sender(current_app.config["MAIL_DEFAULT_SENDER"])
    invitation = ics.invitation(
        event,
        registration,
        "REQUEST",
        organizer_email=organizer.addr_spec,
        organizer_name=organizer.display_name,
        entry=entries[0],
    )
    return Rendered(
        subject=subject,
        text_body=render_template("email/reminder.txt", **context),
        html_body=render_template("email/reminder.html", **context),
        calendar=CalendarAttachment(invitation.decode()),
    )


def _lead(kind: ReminderKind, event: Event, show_visio_link: bool) -> str:
    when = french_datetime(event.starts_at)
    lead = {
        ReminderKind.WEEK_BEFORE: f"Vous êtes inscrit·e à « {event.title} », dans une semaine : "
        f"le {when}.",
        ReminderKind.DAY_BEFORE: f"Nous vous attendons demain, le {when}, pour « {event.title} ».",
        ReminderKind.HOUR_BEFORE: f"« {event.title} » commence dans une heure, "
        f"à {french_time(event.starts_at)}.",
    }[kind]
    return f"{lead} Le lien pour rejoindre la visio figure ci-dessous." if show_visio_link else lead


def render_follow_up(mail: OutgoingMail, unsubscribe_url: str) -> Rendered | None:
    registration = _confirmed_registration(mail)
    if registration is None:
        return None
    event = registration.event
    plan = db.session.get(ReminderPlan, event.id)
    if not choices_of(event.format, plan).follow_up:
        return None
    subject = FOLLOW_UP_SUBJECT.format(title=event.title)
    message = plan.follow_up_message if plan else ""
    context = _context(registration, subject) | {
        "message_html": render_markdown(message),
        "message_text": message,
        "replay_url": plan.replay_url if plan else "",
        "survey_url": plan.survey_url if plan else "",
        "day": french_date(event.starts_at),
        "unsubscribe_url": unsubscribe_url,
    }
    return Rendered(
        subject=subject,
        text_body=render_template("email/follow_up.txt", **context),
        html_body=render_template("email/follow_up.html", **context),
    )


def _confirmed_registration(mail: OutgoingMail) -> Registration | None:
    """The mail's registration, if it still holds a seat at a published event for
    the person the mail was queued to (a seat handed over since is the
    colleague's, with a link the previous holder must not get)."""
    registration = db.session.get(Registration, mail.registration_id or 0)
    if (
        registration is None
        or registration.person.email.lower() != mail.to_email.lower()
        or registration.status is not RegistrationStatus.CONFIRMED
        or registration.event.status is not EventStatus.PUBLISHED
        or registration.event.starts_at is None
    ):
        return None
    return registration


def _context(registration: Registration, subject: str) -> dict:
    return {
        "subject": subject,
        "event": registration.event,
        "registration": registration,
        "person": registration.registrant,
        "manage_url": None,
        "show_visio_link": False,
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
    }


def preload(mails: list[OutgoingMail]) -> list[object]:
    """What a batch's rendering reads, in a few queries rather than a few per mail."""
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_({mail.registration_id for mail in mails}))
        .options(
            selectinload(Registration.person),
            selectinload(Registration.event).selectinload(Event.sessions),
            selectinload(Registration.event).selectinload(Event.programme),
        )
    ).all()
    plans = db.session.scalars(
        select(ReminderPlan).where(ReminderPlan.event_id.in_({r.event_id for r in registrations}))
    ).all()
    return [*registrations, *plans]


for _kind in ReminderKind:
    register_renderer(_kind.value, render_reminder, preload)
register_renderer(FOLLOW_UP, optional_renderer(render_follow_up), preload)
