"""Text written by people can't break a calendar: titles, places, names and
descriptions with line breaks of any kind, in every file we serve or send."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from instant_coorace.calendar import feeds, ics
from instant_coorace.calendar.entries import session_entries
from instant_coorace.calendar.text import markdown_to_text, one_line
from instant_coorace.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
    ProgrammeItem,
    Series,
)
from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.members.models import Person
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event
from tests.calendar_parsers import read_everywhere

ORGANIZER = ("evenements@coorace-occitanie.example.org", "Coorace Occitanie")
BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "line separator": "\u2028", "NEL": "\x85"}
INJECTED = "{b}ATTENDEE:mailto:evil@example.org{b}END:VEVENT{b}BEGIN:VEVENT{b}UID:evil"


def assert_not_injected(data: bytes, sessions: int, attendees: int) -> list:
    """One VEVENT per session, the expected attendees, and no line we did not write."""
    calendar = read_everywhere(data)
    assert len(calendar.events) == sessions
    assert all(event.uid.startswith("session-") for event in calendar.events)
    for event in calendar.events:
        assert len(event.attendees) == attendees
        assert all("evil" not in attendee for attendee in event.attendees)
    unfolded = data.replace(b"\r\n ", b"")
    assert unfolded.count(b"\r\nBEGIN:VEVENT\r\n") == sessions
    assert b"\r\nATTENDEE:mailto:evil" not in unfolded
    assert b"\r\nUID:evil" not in unfolded
    return list(calendar.events)


@pytest.fixture(params=BREAKS.values(), ids=BREAKS.keys())
def hostile(request, app):
    """An event of two sessions whose every text field carries line breaks, in a
    series whose name does too, with one confirmed registrant."""
    brk = request.param
    series = Series(name=f"Série{brk}X-INJECTED:1", slug="serie")
    db.session.add(series)
    event = make_event(
        f"Atelier{INJECTED.format(b=brk)}",
        slug="atelier",
        sessions=2,
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        venue_name=f"Salle 1{brk}ATTENDEE:mailto:evil@example.org",
        venue_address=f"Albi{brk}",
        series=series,
    )
    event.description = f"Ligne 1{INJECTED.format(b=brk)}"
    event.programme = [ProgrammeItem(position=1, title=f"Accueil{brk}UID:evil")]
    db.session.commit()
    receipt = services.register(
        event.id, applicant(1, first_name=f"Eve{brk}ATTENDEE:mailto:evil@example.org")
    )
    return event, receipt


CALENDAR_ADDRESSES = {
    "event download": lambda receipt: "/evenements/atelier/agenda.ics",
    "registration download": lambda receipt: f"/inscription/{receipt.token}/agenda.ics",
    "all events feed": lambda receipt: "/agenda.ics",
    "series feed": lambda receipt: "/agenda/serie/serie.ics",
    "kind feed": lambda receipt: "/agenda/type/atelier_collectif.ics",
    "personal feed": lambda receipt: (
        f"/agenda/personnel/"
        f"{feeds.issue_feed_token(services.find_by_token(receipt.token).person_id)}.ics"
    ),
}


@pytest.mark.parametrize("address", CALENDAR_ADDRESSES.values(), ids=CALENDAR_ADDRESSES.keys())
def test_line_breaks_in_text_stay_inside_their_property_in_every_served_file(
    client, hostile, address
):
    event, receipt = hostile
    response = client.get(address(receipt))
    assert response.status_code == 200
    read = assert_not_injected(response.data, sessions=2, attendees=0)
    assert [entry.summary for entry in read] == [f"{one_line(event.title)} ({n}/2)" for n in (1, 2)]
    assert all("\n" not in entry.location for entry in read)
    head = response.data.split(b"BEGIN:VEVENT")[0].replace(b"\r\n ", b"")
    assert b"\r\nX-INJECTED" not in head


def test_line_breaks_in_text_stay_inside_their_property_in_the_invitation_mail(hostile):
    event, _receipt = hostile
    render_all_pending()
    invitations = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.calendar_text.is_not(None))
    ).all()
    assert len(invitations) == 2  # one per session
    for mail in invitations:
        (entry,) = assert_not_injected(mail.calendar_text.encode(), sessions=1, attendees=1)
        assert entry.summary.startswith(one_line(event.title))


def test_feed_name_and_description_are_escaped_text(app):
    data = ics.public_calendar(
        [],
        "Nom\rATTENDEE:mailto:evil@example.org",
        description="Ligne 1\r\nEND:VCALENDAR\nBEGIN:VEVENT",
        organizer_email=ORGANIZER[0],
        organizer_name=ORGANIZER[1],
    )
    unfolded = data.replace(b"\r\n ", b"")
    assert b"X-WR-CALNAME:Nom ATTENDEE:mailto:evil@example.org\r\n" in unfolded
    assert b"X-WR-CALDESC:Ligne 1\\nEND:VCALENDAR\\nBEGIN:VEVENT\r\n" in unfolded
    assert unfolded.count(b"\r\nEND:VCALENDAR\r\n") == 1
    assert read_everywhere(data).events == ()


def test_series_feed_is_described_by_the_series(client):
    db.session.add(Series(name="Ateliers", slug="ateliers", description="Un **atelier** par mois."))
    db.session.commit()
    data = client.get("/agenda/serie/ateliers.ics").data.replace(b"\r\n ", b"")
    assert b"X-WR-CALDESC:Un atelier par mois.\r\n" in data


def test_description_is_plain_text_from_the_markdown(app):
    event = make_event("Webinaire")
    event.description = (
        "## Au programme\n\nUn **temps d'échange** sur la [RSE](https://rse.example.org) "
        "et l'_IAE_.\n\n- premier point\n- second point\n\n<script>alert(1)</script>"
    )
    event.programme = [ProgrammeItem(position=1, time_label="10 h", title="Accueil\ncafé")]
    db.session.commit()
    (entry,) = session_entries(event, show_visio_link=False)
    assert entry.description.startswith(
        "Au programme\n\nUn temps d'échange sur la RSE (https://rse.example.org) et l'IAE.\n\n"
        "- premier point\n- second point"
    )
    assert "**" not in entry.description and "<script>" not in entry.description
    assert "alert(1)" not in entry.description
    assert "Programme :\n- 10 h : Accueil café" in entry.description


@pytest.mark.parametrize(
    "markdown, text",
    [
        ("[https://a.example.org](https://a.example.org)", "https://a.example.org"),
        ("1. un\n2. deux", "1. un\n2. deux"),
        ("> cité", "cité"),
        ("a  \nb", "a\nb"),
        ("`code` &amp; 5 < 6", "code & 5 < 6"),
    ],
)
def test_markdown_to_text(markdown, text):
    assert markdown_to_text(markdown) == text


TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=300)
"""Any text a database can hold (PostgreSQL refuses NUL)."""


def unsaved_event(title: str, description: str) -> Event:
    """An event of two sessions, never written: the property test needs no database."""
    now = dt.datetime(2027, 3, 11, 9, tzinfo=dt.UTC)
    event = Event(title=title, description=description, slug="essai", kind=EventKind.WEBINAIRE)
    event.format, event.status = EventFormat.ONLINE, EventStatus.PUBLISHED
    event.venue_name = event.venue_address = event.visio_url = ""
    event.calendar_sequence, event.created_at, event.updated_at = 0, now, now
    event.sessions = [
        EventSession(
            id=n,
            starts_at=now + dt.timedelta(days=n),
            ends_at=now + dt.timedelta(days=n, hours=1),
            label="",
        )
        for n in (1, 2)
    ]
    return event


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT.filter(one_line), description=TEXT, name=TEXT)
def test_any_text_gives_one_vevent_per_session_titled_with_the_normalised_title(
    app, title, description, name
):
    event = unsaved_event(title, description)
    data = ics.public_calendar(
        [event], name, organizer_email=ORGANIZER[0], organizer_name=ORGANIZER[1]
    )
    read = read_everywhere(data)
    assert [entry.summary for entry in read.events] == [
        f"{one_line(title)} ({n}/2)" for n in (1, 2)
    ]
    registration = Registration(
        person=Person(email="a@example.org", first_name=name, last_name=title)
    )
    for entry in session_entries(event, show_visio_link=True):
        invitation = ics.invitation(event, registration, "REQUEST", *ORGANIZER, entry=entry)
        (vevent,) = read_everywhere(invitation).events
        assert vevent.summary == entry.summary
        assert vevent.description == entry.description
        assert vevent.attendees == ("mailto:a@example.org",)
