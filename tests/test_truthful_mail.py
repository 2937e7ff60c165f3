"""Mails and pages say only what is true for their reader: no calendar entry
promised to the waiting list, no cancellation of an invitation never received,
a change that says what changed, no feature promised before it exists.

Mails are read as delivered: rendered and sent by the worker to ``.eml`` files,
parsed with ``email``, their calendars with three calendar readers."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from instant_coorace.events import services as event_services
from instant_coorace.events.drafts import SessionDraft
from instant_coorace.events.models import Event, EventFormat
from instant_coorace.extensions import db
from instant_coorace.formatting import to_paris
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending, render_pending
from instant_coorace.mail.worker import deliver_due_mail
from instant_coorace.registrations import services
from instant_coorace.reminders import services as reminder_services
from tests.builders import applicant, make_event, make_structure, webinar_draft
from tests.calendar_parsers import ReadCalendar, read_everywhere
from tests.live_server import form_values


class Inbox:
    """What the worker delivered since the last look, in the order it was queued."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: set[str] = set()

    def new(self, *, render: bool = True) -> list[EmailMessage]:
        if render:
            render_all_pending()
        deliver_due_mail()
        files = [path for path in self.folder.glob("*.eml") if path.name not in self.seen]
        self.seen |= {path.name for path in files}
        files.sort(key=lambda path: int(path.name.split("-")[1]))
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


@pytest.fixture
def inbox(app) -> Inbox:
    return Inbox(Path(app.instance_path) / "mail")


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html(message: EmailMessage) -> str:
    """The HTML alternative as a reader sees it: text without tags."""
    return unescape(re.sub(r"<[^>]+>", "", message.get_body(("html",)).get_content()))


def calendar(message: EmailMessage) -> ReadCalendar | None:
    """The invitation a calendar program finds in the mail, if any."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    if not parts:
        return None
    return read_everywhere(parts[0].get_payload(decode=True))


def to(message: EmailMessage) -> str:
    return message["To"].addresses[0].addr_spec


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def training() -> int:
    """A published in-person training of four half-days; returns its id."""
    half_days = (
        SessionDraft(dt.date(2031, 3, 12), dt.time(9), dt.time(12, 30), "Jour 1 — matin"),
        SessionDraft(dt.date(2031, 3, 12), dt.time(13, 30), dt.time(17), "Jour 1 — après-midi"),
        SessionDraft(dt.date(2031, 3, 13), dt.time(9), dt.time(12, 30), "Jour 2 — matin"),
        SessionDraft(dt.date(2031, 3, 13), dt.time(13, 30), dt.time(17), "Jour 2 — après-midi"),
    )
    event_id = event_services.create_event(
        webinar_draft(
            title="Formation ESS",
            format=EventFormat.IN_PERSON,
            visio_url="",
            venue_name="Maison de l'ESS",
            venue_address="Toulouse",
            capacity=10,
            sessions=half_days,
        )
    )
    event_services.publish(event_id)
    return event_id


def edit_training(
    event_id: int,
    moves: dict[int, tuple],
    venue_name: str = "Maison de l'ESS",
):
    """Edit the training, moving the half-days at ``moves``' indexes to (day, start, end)."""
    event = db.session.get(Event, event_id)
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    drafts = []
    for index, session in enumerate(sessions):
        starts, ends = to_paris(session.starts_at), to_paris(session.ends_at)
        day, start, end = moves.get(index, (starts.date(), starts.time(), ends.time()))
        drafts.append(SessionDraft(day, start, end, session.label, session.id))
    draft = webinar_draft(
        title="Formation ESS",
        format=EventFormat.IN_PERSON,
        visio_url="",
        venue_name=venue_name,
        venue_address="Toulouse",
        capacity=10,
        sessions=tuple(drafts),
    )
    return event_services.update_event(event_id, draft)


# --- No cancellation for what was never sent ----------------------------------


def test_cancelling_before_the_confirmation_left_sends_one_short_acknowledgement(app, inbox):
    event = make_event("Formation ESS", sessions=4, event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))
    services.cancel(receipt.registration_id)  # before the worker's next pass

    [acknowledgement] = inbox.new()
    assert acknowledgement["Subject"].startswith("Désinscription enregistrée : Formation ESS")
    assert calendar(acknowledgement) is None
    assert not any(part.get_filename() for part in acknowledgement.walk())
    for body in (text(acknowledgement), html(acknowledgement)):
        assert "avant l'envoi de votre invitation" in body
        assert "retiré" not in body and "retirée" not in body


def test_invitations_rendered_but_not_yet_sent_are_withdrawn(app, inbox):
    event = make_event("Formation ESS", sessions=2, event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))
    render_all_pending()  # both invitations are ready to leave at the next delivery
    services.cancel(receipt.registration_id)

    [acknowledgement] = inbox.new()
    assert calendar(acknowledgement) is None
    outbox = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
    assert [(mail.purpose, mail.status) for mail in outbox] == [
        ("registration_confirmed", MailStatus.CANCELLED),
        ("session_invitation", MailStatus.CANCELLED),
        ("registration_cancelled", MailStatus.SENT),
    ]


def test_only_the_sessions_whose_invitation_left_are_cancelled(app, inbox):
    event = make_event("Formation ESS", sessions=2, event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))
    render_pending()  # the confirmation (first half-day) is rendered…
    [confirmation] = inbox.new(render=False)  # …and delivered; the second one waits
    invited = calendar(confirmation).events[0].uid
    services.cancel(receipt.registration_id)

    [cancellation] = inbox.new()
    read = calendar(cancellation)
    assert read.method == "CANCEL"
    assert [entry.uid for entry in read.events] == [invited]
    assert "autre suit" not in text(cancellation)
    assert "retiré de votre agenda" in text(cancellation)


def test_a_seat_handed_over_before_its_invitation_left_cancels_nothing(app, inbox):
    structure = make_structure()
    event = make_event(event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1, structure))
    services.hand_over(receipt.registration_id, applicant(2, structure))

    handed_over, received = inbox.new()
    assert to(handed_over) == "personne1@adherent.example.org"
    assert calendar(handed_over) is None
    assert "agenda" not in text(handed_over)
    assert to(received) == "personne2@adherent.example.org"
    assert calendar(received).method == "REQUEST"


def test_an_event_cancelled_before_the_invitation_left_cancels_no_entry(app, inbox):
    event = make_event(event_format=EventFormat.IN_PERSON)
    services.register(event.id, applicant(1))
    event_services.cancel_event(event.id)

    [cancelled] = inbox.new()
    assert cancelled["Subject"].startswith("Annulation :")
    assert calendar(cancelled) is None
    assert "agenda" not in text(cancelled) and "agenda" not in html(cancelled)
    assert "nouvelle date" not in text(cancelled)
    assert "Pour toute question, écrivez à l'équipe" in text(cancelled)


# --- Waiting list -----------------------------------------------------------------


def test_mails_to_the_waiting_list_promise_no_invitation_and_no_calendar_entry(app, inbox):
    event_id = event_services.create_event(webinar_draft())
    event_services.publish(event_id)
    services.register(event_id, applicant(1))
    waiting = services.register(event_id, applicant(2))
    moved = db.session.get(Event, event_id).sessions[0].id
    later = (SessionDraft(dt.date(2031, 4, 3), dt.time(14), dt.time(15, 30), "", moved),)
    inbox.new()
    event_services.update_event(event_id, webinar_draft(sessions=later))
    received = inbox.new()
    services.cancel(waiting.registration_id)
    received += inbox.new()

    to_waiting = [m for m in received if to(m) == "personne2@adherent.example.org"]
    assert [m["Subject"].split(" :")[0] for m in to_waiting] == [
        "Modification",
        "Désinscription enregistrée",
    ]
    for message in to_waiting:
        assert calendar(message) is None
        for body in (text(message), html(message)):
            assert "agenda" not in body and "invitation" not in body
    changed, cancelled = to_waiting
    assert "sur la liste d'attente" in text(changed)
    assert "Vous avez quitté la liste d'attente" in text(cancelled)


def test_the_waitlisted_mail_offers_no_calendar(app, inbox):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    _confirmed, waitlisted = inbox.new()
    assert calendar(waitlisted) is None
    assert "agenda" not in text(waitlisted) and "agenda" not in html(waitlisted)


def test_waiting_for_a_seat_of_ones_structure_is_not_called_a_full_event(app, inbox):
    structure = make_structure()
    event = make_event(capacity=30, seats_per_structure=1)
    services.register(event.id, applicant(1, structure))
    services.register(event.id, applicant(2, structure))
    services.register(event.id, applicant(3))
    services.register(event.id, applicant(4, make_structure(name="Autre structure")))
    received = inbox.new()

    (waiting,) = [m for m in received if to(m) == "personne2@adherent.example.org"]
    for body in (text(waiting), unescape(html(waiting))):
        assert "complet" not in body
        assert "La place réservée à chaque structure est déjà prise" in body
        assert structure.name in body
        assert "position 1" in body
    assert {to(m) for m in received} >= {
        "personne3@adherent.example.org",
        "personne4@adherent.example.org",
    }
    assert all("liste d'attente" not in text(m) for m in received if to(m) != to(waiting))


def test_a_place_in_line_handed_over_is_not_called_a_seat_in_a_calendar(app, inbox):
    structure = make_structure()
    event = make_event(capacity=1)
    services.register(event.id, applicant(1, structure))
    waiting = services.register(event.id, applicant(2, structure))
    inbox.new()
    services.hand_over(waiting.registration_id, applicant(3, structure))
    handed_over, received = inbox.new()
    assert "place sur la liste d'attente" in text(handed_over)
    assert "place sur la liste d'attente" in text(received)
    for message in (handed_over, received):
        assert calendar(message) is None
        assert "agenda" not in text(message) and "agenda" not in html(message)


def test_the_cancel_page_promises_the_waiting_list_only_when_there_is_one(client):
    alone = make_event(capacity=5)
    lonely = services.register(alone.id, applicant(1))
    step = page(client.get(f"/inscription/{lonely.token}/annuler"))
    done = page(client.post(f"/inscription/{lonely.token}/annuler"))
    assert "liste d'attente" not in step
    assert "liste d'attente" not in done

    full = make_event(capacity=1)
    leaving = services.register(full.id, applicant(2))
    services.register(full.id, applicant(3))
    step = page(client.get(f"/inscription/{leaving.token}/annuler"))
    done = page(client.post(f"/inscription/{leaving.token}/annuler"))
    assert "Votre place ira à la première personne de la liste d'attente" in step
    assert "première personne de la liste d'attente" in done


def test_the_staff_cancel_page_says_where_the_seat_goes(staff_client):
    event = make_event(capacity=1)
    holder = services.register(event.id, applicant(1))

    def step(receipt) -> str:
        url = f"/gestion/evenements/{event.id}/inscrits/{receipt.registration_id}/desinscrire"
        return page(staff_client.get(url))

    assert "Personne n'attend de place" in step(holder)
    waiting = services.register(event.id, applicant(2))
    assert "donnée à la première personne de la liste d'attente" in step(holder)
    assert "Cette personne quittera la liste d'attente" in step(waiting)


def test_a_waitlisted_person_cancelling_is_told_they_leave_the_waiting_list(client):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))
    step = page(client.get(f"/inscription/{waiting.token}/annuler"))
    assert "Oui, quitter la liste d'attente" in step
    assert "Votre place ira" not in step
    done = page(client.post(f"/inscription/{waiting.token}/annuler"))
    assert "Vous avez quitté la liste d'attente" in done
    assert "la place est proposée" not in done


# --- A change says what changed ------------------------------------------------------


def test_a_moved_webinar_mail_shows_the_time_and_link_before_and_after(app, inbox):
    event_id = event_services.create_event(webinar_draft())
    event_services.publish(event_id)
    services.register(event_id, applicant(1))
    services.register(event_id, applicant(2))
    [original, _waitlisted] = inbox.new()
    session_id = db.session.get(Event, event_id).sessions[0].id
    later = (SessionDraft(dt.date(2031, 4, 3), dt.time(14), dt.time(15, 30), "", session_id),)
    event_services.update_event(
        event_id, webinar_draft(sessions=later, visio_url="https://visio.example.org/autre")
    )

    confirmed, waiting = inbox.new()
    slot = "jeudi 3 avril 2031 de 10 h à 11 h 30 → jeudi 3 avril 2031 de 14 h à 15 h 30"
    link = "https://visio.example.org/instant → https://visio.example.org/autre"
    assert slot in text(confirmed) and slot in html(confirmed)
    assert link in text(confirmed) and link in html(confirmed)
    entry = calendar(confirmed).events[0]
    assert entry.uid == calendar(original).events[0].uid
    assert entry.sequence > calendar(original).events[0].sequence
    assert slot in text(waiting)
    assert "visio.example.org" not in text(waiting) + html(waiting)


def test_one_half_day_moved_sends_one_mail_with_that_session_only(app, inbox):
    event_id = training()
    services.register(event_id, applicant(1))
    invitations = inbox.new()
    assert len(invitations) == 4
    edit_training(event_id, {2: (dt.date(2031, 3, 20), dt.time(9), dt.time(12, 30))})

    [changed] = inbox.new()
    assert changed["Subject"].startswith("Modification : Formation ESS")
    read = calendar(changed)
    assert read.method == "REQUEST"
    [entry] = read.events
    assert entry.uid == calendar(invitations[2]).events[0].uid
    assert entry.sequence > calendar(invitations[2]).events[0].sequence
    body = text(changed)
    assert [line for line in body.splitlines() if line.startswith("- ") and "→" in line] == [
        "- Jour 2 — matin : jeudi 13 mars 2031 de 9 h à 12 h 30"
        " → jeudi 20 mars 2031 de 9 h à 12 h 30"
    ]
    assert "invitation à part" not in body


def test_two_half_days_moved_send_one_summary_then_the_other_changed_session(app, inbox):
    event_id = training()
    services.register(event_id, applicant(1))
    invitations = inbox.new()
    uids = [calendar(invitation).events[0].uid for invitation in invitations]
    edit_training(
        event_id,
        {
            1: (dt.date(2031, 3, 12), dt.time(14), dt.time(17, 30)),
            3: (dt.date(2031, 3, 13), dt.time(14), dt.time(17, 30)),
        },
    )

    summary, other = inbox.new()
    assert summary["Subject"].startswith("Modification :")
    assert [e.uid for e in calendar(summary).events] == [uids[1]]
    assert "Jour 1 — après-midi" in text(summary) and "Jour 2 — après-midi" in text(summary)
    assert "Chaque session modifiée arrive dans votre agenda" in text(summary)
    assert "1 autre suit" in text(summary)
    assert other["Subject"].startswith("Invitation 4/4 : Formation ESS")
    assert [e.uid for e in calendar(other).events] == [uids[3]]
    assert "13 h 30 à 17 h → " in text(other)


def test_a_new_place_updates_every_session_and_says_where(app, inbox):
    event_id = training()
    services.register(event_id, applicant(1))
    invitations = inbox.new()
    edit_training(event_id, {}, venue_name="Hôtel de Région")

    changed, *others = inbox.new()
    assert "Lieu : Maison de l'ESS, Toulouse → Hôtel de Région, Toulouse" in text(changed)
    assert len(others) == 3
    held = {calendar(m).events[0].uid: calendar(m).events[0].sequence for m in invitations}
    for message in (changed, *others):
        [entry] = calendar(message).events
        assert entry.location == "Hôtel de Région, Toulouse"
        assert entry.sequence > held[entry.uid]


def test_a_change_nobody_can_see_sends_nothing(app, inbox):
    """The join link of an in-person event is shown nowhere; for the waiting list,
    the join link of an online one is not either."""
    event_id = training()
    services.register(event_id, applicant(1))
    inbox.new()
    event = db.session.get(Event, event_id)
    event.visio_url = "https://visio.example.org/jamais-affiche"
    db.session.commit()
    result = edit_training(event_id, {})
    assert not result.sequence_raised
    assert inbox.new() == []

    webinar = event_services.create_event(webinar_draft())
    event_services.publish(webinar)
    services.register(webinar, applicant(2))
    services.register(webinar, applicant(3))
    inbox.new()
    session_id = db.session.get(Event, webinar).sessions[0].id
    same = (SessionDraft(dt.date(2031, 4, 3), dt.time(10), dt.time(11, 30), "", session_id),)
    event_services.update_event(
        webinar, webinar_draft(sessions=same, visio_url="https://visio.example.org/nouveau")
    )
    assert [to(m) for m in inbox.new()] == ["personne2@adherent.example.org"]


# --- No promise of what does not exist ---------------------------------------------


def _confirmation_page(client, event) -> str:
    confirmation = client.post(f"/evenements/{event.slug}/inscription", data=form_values(1))
    assert confirmation.status_code == 303, page(confirmation)
    return page(client.get(confirmation.headers["Location"]))


def test_the_confirmation_promises_the_reminders_still_ahead_and_only_those(client):
    online = make_event(event_format=EventFormat.ONLINE, visio_url="https://visio.example.org/x")
    assert (
        "Nous vous le rappellerons par e-mail une semaine avant, la veille et une heure avant, "
        "avec le lien de connexion." in _confirmation_page(client, online)
    )
    soon = make_event(event_format=EventFormat.IN_PERSON, starts_in=dt.timedelta(hours=30))
    confirmed = _confirmation_page(client, soon)
    assert "Nous vous le rappellerons par e-mail la veille." in confirmed
    assert "une semaine avant" not in confirmed

    quiet = make_event(event_format=EventFormat.ONLINE, visio_url="https://visio.example.org/y")
    reminder_services.save_plan(
        quiet.id,
        reminder_services.PlanValues(week_before=False, day_before=False, hour_before=False),
    )
    assert "rappel" not in _confirmation_page(client, quiet).lower()


def test_the_privacy_notice_names_the_paperwork_that_now_exists(client):
    event = make_event(event_format=EventFormat.ONLINE, visio_url="https://visio.example.org/x")
    form = page(client.get(f"/evenements/{event.slug}/inscription"))
    assert "feuilles d'émargement et certificats ou attestations de présence" in form
    assert "portent un lien pour ne plus en recevoir" in form
