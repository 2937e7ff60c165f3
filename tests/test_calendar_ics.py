"""Invitations and published calendars, as three independent readers see them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject

from instant_coorace.calendar import ics
from instant_coorace.calendar.entries import session_entries
from instant_coorace.calendar.vtimezone import paris_vtimezone
from instant_coorace.events.models import EventFormat, EventSession, EventStatus, ProgrammeItem
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event
from tests.calendar_parsers import assert_wire_format, read_everywhere

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
ORGANIZER = ("evenements@coorace-occitanie.example.org", "Coorace Occitanie")
VISIO = "https://visio.example.org/j/4242?pwd=secret"


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS).astimezone(UTC)


def reschedule(event, *slots: tuple[dt.datetime, dt.datetime]):
    event.sessions = [EventSession(starts_at=start, ends_at=end) for start, end in slots]
    event.refresh_time_span()
    db.session.commit()
    return event


def registrant(event, number: int = 1, **fields) -> Registration:
    receipt = services.register(event.id, applicant(number, **fields))
    return db.session.get(Registration, receipt.registration_id)


def invite(event, registration, method="REQUEST", session=0, management_url=None) -> bytes:
    """The invitation to one session (the first by default), as a registrant gets it."""
    entries = session_entries(event, show_visio_link=True, management_url=management_url)
    return ics.invitation(event, registration, method, *ORGANIZER, entry=entries[session])


def publish(*events, **kwargs) -> bytes:
    return ics.public_calendar(
        events, "Agenda", organizer_email=ORGANIZER[0], organizer_name=ORGANIZER[1], **kwargs
    )


def webinar(**fields):
    fields.setdefault("visio_url", VISIO)
    return make_event("L'Instant Coorace", event_format=EventFormat.ONLINE, **fields)


def test_invitation_is_a_request_from_the_organizer_to_the_registrant(app):
    event = webinar()
    registration = registrant(event, first_name="Inès", last_name="Dupré")
    data = invite(event, registration)

    calendar = read_everywhere(data)
    assert calendar.method == "REQUEST"
    (vevent,) = calendar.events
    assert vevent.organizer == f"mailto:{ORGANIZER[0]}"
    assert vevent.attendees == ("mailto:personne1@adherent.example.org",)
    assert vevent.status == "CONFIRMED"
    assert vevent.sequence == event.calendar_sequence
    attendee = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["attendee"]
    assert attendee.params["CN"] == "Inès Dupré"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_invitation_gives_the_join_link_and_the_management_link(app):
    event = webinar()
    data = invite(event, registrant(event), management_url="http://localhost/inscription/abc")
    (vevent,) = read_everywhere(data).events
    assert vevent.location == VISIO
    assert VISIO in vevent.description
    assert "http://localhost/inscription/abc" in vevent.description


def test_training_of_four_half_days_gets_one_invitation_per_session_with_stable_uids(app):
    """iTIP: one UID per REQUEST (RFC 5546, 3.2.2), so one invitation per half-day."""
    event = make_event("Formation", sessions=4, event_format=EventFormat.IN_PERSON)
    registration = registrant(event)
    first = [read_everywhere(invite(event, registration, session=n)) for n in range(4)]
    again = [read_everywhere(invite(event, registration, session=n)) for n in range(4)]
    assert all(len(calendar.events) == 1 for calendar in first)
    uids = [calendar.events[0].uid for calendar in first]
    assert len(set(uids)) == 4
    assert uids == [calendar.events[0].uid for calendar in again]
    starts = [calendar.events[0].start for calendar in first]
    assert starts == sorted(s.starts_at for s in event.sessions)
    assert [c.events[0].summary[-5:] for c in first] == ["(1/4)", "(2/4)", "(3/4)", "(4/4)"]


def test_an_update_keeps_the_uid_and_raises_the_sequence(app):
    event = webinar()
    registration = registrant(event)
    before = read_everywhere(invite(event, registration)).events[0]
    (session,) = event.sessions
    session.starts_at, session.ends_at = paris(2027, 2, 4, 14), paris(2027, 2, 4, 16)
    event.refresh_time_span()
    event.calendar_sequence += 1
    db.session.commit()
    after = read_everywhere(invite(event, registration)).events[0]
    assert after.uid == before.uid
    assert after.sequence > before.sequence
    assert after.start == dt.datetime(2027, 2, 4, 13, tzinfo=UTC)


def test_cancellation_is_method_cancel_with_status_cancelled_on_the_same_uids(app):
    event = make_event(sessions=2)
    registration = registrant(event)
    requests = [read_everywhere(invite(event, registration, session=n)) for n in range(2)]
    event.calendar_sequence += 1
    event.status = EventStatus.CANCELLED
    db.session.commit()
    for n, request in enumerate(requests):
        cancel = read_everywhere(invite(event, registration, "CANCEL", session=n))
        assert cancel.method == "CANCEL"
        assert cancel.by_uid().keys() == request.by_uid().keys()
        (cancelled,) = cancel.events
        assert cancelled.status == "CANCELLED"
        assert cancelled.sequence > request.events[0].sequence
        assert len(cancelled.attendees) == 1


def test_an_unknown_method_is_refused(app):
    event = webinar()
    with pytest.raises(ValueError, match="PUBLISH"):
        invite(event, registrant(event), "PUBLISH")


def test_published_calendar_has_no_attendee_and_no_join_link(app):
    event = webinar()
    registrant(event)
    data = publish(event)
    calendar = read_everywhere(data)
    assert calendar.method == "PUBLISH"
    assert all(e.attendees == () for e in calendar.events)
    assert b"ATTENDEE" not in data
    assert b"visio.example.org" not in data.replace(b"\r\n ", b"")
    assert calendar.events[0].location == "En visio"


def test_published_calendar_depends_on_the_data_only(app):
    events = [make_event(f"Atelier {n}", sessions=2) for n in range(3)]
    first = publish(*events)
    with time_machine.travel(dt.datetime.now(UTC) + dt.timedelta(hours=5)):
        later = publish(*reversed(events))
    assert first == later
    stamps = [e.decoded("dtstamp") for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert stamps == [e.updated_at.replace(microsecond=0) for e in events for _ in range(2)]


def test_cancelled_event_stays_in_published_calendar_marked_cancelled(app):
    event = make_event("Assemblée générale", status=EventStatus.CANCELLED)
    (vevent,) = read_everywhere(publish(event)).events
    assert vevent.status == "CANCELLED"
    assert vevent.summary == "Annulé : Assemblée générale"


def test_programme_is_summarised_in_the_description(app):
    event = make_event("Journée régionale", event_format=EventFormat.IN_PERSON)
    event.venue_name = "Maison de l'ESS"
    event.venue_address = "12 rue des Lois, 31000 Toulouse"
    event.programme = [
        ProgrammeItem(position=1, time_label="9 h 30", title="Accueil café"),
        ProgrammeItem(position=2, title="Table ronde : l'IAE demain"),
    ]
    db.session.commit()
    (vevent,) = read_everywhere(publish(event)).events
    assert "- 9 h 30 : Accueil café\n- Table ronde : l'IAE demain" in vevent.description
    assert vevent.location == "Maison de l'ESS, 12 rue des Lois, 31000 Toulouse"


# Times ---------------------------------------------------------------------

SLOTS = {
    "winter": (paris(2027, 1, 14, 10), dt.datetime(2027, 1, 14, 9, tzinfo=UTC)),
    "summer": (paris(2027, 7, 1, 10), dt.datetime(2027, 7, 1, 8, tzinfo=UTC)),
    "spring change day, 10:00": (paris(2027, 3, 28, 10), dt.datetime(2027, 3, 28, 8, tzinfo=UTC)),
    "autumn change day, 10:00": (paris(2027, 10, 31, 10), dt.datetime(2027, 10, 31, 9, tzinfo=UTC)),
    "spring change day, 03:30 just after the gap": (
        paris(2027, 3, 28, 3, 30),
        dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ),
    "autumn change day, 02:30 first time (summer)": (
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    ),
    "autumn change day, 02:30 second time (winter)": (
        dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
        dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("start, expected", SLOTS.values(), ids=SLOTS.keys())
def test_session_start_resolves_to_the_right_instant(app, start, expected):
    event = reschedule(webinar(), (start, start + dt.timedelta(hours=1)))
    for data in (invite(event, registrant(event)), publish(event)):
        (vevent,) = read_everywhere(data).events
        assert vevent.start == expected
        assert vevent.end == expected + dt.timedelta(hours=1)


def test_wall_times_are_written_in_paris_time(app):
    event = reschedule(webinar(), (paris(2027, 7, 1, 10), paris(2027, 7, 1, 11, 30)))
    unfolded = publish(event).replace(b"\r\n ", b"")
    assert b"DTSTART;TZID=Europe/Paris:20270701T100000\r\n" in unfolded
    assert b"DTEND;TZID=Europe/Paris:20270701T113000\r\n" in unfolded


def test_the_repeated_autumn_hour_is_written_in_utc(app):
    """02:30 happens twice on the last Sunday of October: no reader should guess which."""
    start = dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    event = reschedule(webinar(), (start, start + dt.timedelta(hours=2)))
    unfolded = publish(event).replace(b"\r\n ", b"")
    assert b"DTSTART:20271031T013000Z\r\n" in unfolded
    assert b"DTEND;TZID=Europe/Paris:20271031T043000\r\n" in unfolded


def test_every_tzid_used_has_its_vtimezone(app):
    event = make_event(sessions=3)
    registration = registrant(event)
    invitations = [invite(event, registration, session=n) for n in range(3)]
    for data in (*invitations, publish(event)):
        calendar = icalendar.Calendar.from_ical(data)
        defined = {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
        used = {
            prop.params["TZID"]
            for vevent in calendar.walk("VEVENT")
            for name in ("DTSTART", "DTEND")
            if "TZID" in (prop := vevent[name]).params
        }
        assert used == {"Europe/Paris"}
        assert used <= defined


def test_vtimezone_is_made_of_yearly_rules_not_a_list_of_dates(app):
    data = paris_vtimezone().to_ical()
    assert b"RDATE" not in data
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in data
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in data


def test_vtimezone_agrees_with_tzdata_for_twenty_years():
    """Read back by icalendar and vobject, the rules give Paris's offset at every
    half hour around each change, from 2026 to 2045."""
    data = paris_vtimezone().to_ical().decode()
    readers = [
        icalendar.Timezone.from_ical(data).to_tz(),
        vobject.readOne(f"BEGIN:VCALENDAR\r\n{data}END:VCALENDAR\r\n").vtimezone.gettzinfo(),
    ]
    for year in range(2026, 2046):
        for month in (3, 10):
            last_sunday = max(
                dt.date(year, month, day)
                for day in range(25, 32)
                if dt.date(year, month, day).weekday() == 6
            )
            midnight = dt.datetime.combine(last_sunday, dt.time(), tzinfo=UTC)
            for half_hours in range(-4, 12):
                instant = midnight + dt.timedelta(minutes=30 * half_hours)
                expected = instant.astimezone(PARIS).utcoffset()
                for tz in readers:
                    assert instant.astimezone(tz).utcoffset() == expected, (tz, instant)


# Wire format and injection ---------------------------------------------------


def test_long_titles_with_accents_and_emoji_fold_at_75_octets(app):
    title = "Atelier « Égalité femmes-hommes » dans l'IAE : témoignages, outils 🎉 " * 2
    event = make_event(title.strip())
    for data in (invite(event, registrant(event)), publish(event)):
        assert_wire_format(data)
        (vevent,) = read_everywhere(data).events
        assert vevent.summary == " ".join(title.split())


def test_injection_through_title_place_and_name_stays_text(app):
    event = make_event(
        "Atelier\r\nATTENDEE:mailto:evil@example.org\r\nMETHOD:CANCEL",
        event_format=EventFormat.IN_PERSON,
        venue_name="Salle 1;\nORGANIZER:mailto:evil@example.org",
        venue_address='Rue "A", Albi',
    )
    event.description = "Ligne 1\r\nEND:VEVENT\r\nBEGIN:VEVENT\nUID:evil"
    db.session.commit()
    registration = registrant(
        event, first_name='Eve "Mallory"', last_name="\r\nATTENDEE:mailto:evil@example.org"
    )
    for data in (invite(event, registration), publish(event)):
        calendar = read_everywhere(data)
        (vevent,) = calendar.events
        assert calendar.method in ("REQUEST", "PUBLISH")
        assert all("evil" not in a for a in vevent.attendees)
        assert vevent.organizer == f"mailto:{ORGANIZER[0]}"
        assert vevent.summary == "Atelier ATTENDEE:mailto:evil@example.org METHOD:CANCEL"
        assert vevent.location == 'Salle 1; ORGANIZER:mailto:evil@example.org, Rue "A", Albi'
        # Markdown: a single line break inside a paragraph reads as a space.
        assert vevent.description.startswith("Ligne 1 END:VEVENT BEGIN:VEVENT UID:evil")
        unfolded = data.replace(b"\r\n ", b"")
        assert unfolded.count(b"\r\nBEGIN:VEVENT") == 1
        assert b"\r\nATTENDEE:mailto:evil" not in unfolded
        assert b"\r\nMETHOD:CANCEL" not in unfolded
