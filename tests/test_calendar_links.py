"""« Ajouter à mon agenda » and « S'abonner » links, and the partials showing them."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, render_template_string

from instant_coorace.calendar import links
from instant_coorace.events.models import EventFormat, EventKind, EventSession
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from tests.builders import applicant, make_event

PARIS = ZoneInfo("Europe/Paris")
VISIO = "https://visio.example.org/j/31?pwd=a&b"


def at_paris(event, *slots):
    event.sessions = [
        EventSession(
            starts_at=dt.datetime(*start, tzinfo=PARIS).astimezone(dt.UTC),
            ends_at=dt.datetime(*end, tzinfo=PARIS).astimezone(dt.UTC),
        )
        for start, end in slots
    ]
    event.refresh_time_span()
    db.session.commit()
    return event


def query(url: str) -> dict[str, str]:
    return {key: value for key, (value,) in parse_qs(urlsplit(url).query).items()}


def render(template: str, **context) -> str:
    with current_app.test_request_context():
        return render_template_string(template, **context)


def test_google_link_gives_utc_times_in_winter_and_summer(app):
    winter = at_paris(make_event("Hiver"), ((2027, 1, 14, 10), (2027, 1, 14, 11, 30)))
    summer = at_paris(make_event("Été"), ((2027, 7, 1, 10), (2027, 7, 1, 11, 30)))
    (winter_links,) = links.session_links(winter)
    (summer_links,) = links.session_links(summer)
    assert query(winter_links.google)["dates"] == "20270114T090000Z/20270114T103000Z"
    assert query(summer_links.google)["dates"] == "20270701T080000Z/20270701T093000Z"
    assert query(winter_links.google)["text"] == "Hiver"
    assert query(winter_links.google)["action"] == "TEMPLATE"


def test_outlook_links_give_paris_times_with_their_offset(app):
    event = at_paris(make_event("Atelier"), ((2027, 3, 28, 10), (2027, 3, 28, 12)))
    (session,) = links.session_links(event)
    for url, host in (
        (session.outlook_com, "outlook.live.com"),
        (session.office_365, "outlook.office.com"),
    ):
        assert urlsplit(url).netloc == host
        params = query(url)
        assert params["startdt"] == "2027-03-28T10:00:00+02:00"
        assert params["enddt"] == "2027-03-28T12:00:00+02:00"
        assert params["subject"] == "Atelier"
        assert params["rru"] == "addevent"
        assert "%2B02%3A00" in url


def test_each_session_of_a_training_gets_its_own_links(app):
    event = at_paris(
        make_event("Formation", kind=EventKind.FORMATION),
        ((2027, 2, 1, 9), (2027, 2, 1, 12, 30)),
        ((2027, 2, 1, 14), (2027, 2, 1, 17)),
    )
    sessions = links.session_links(event)
    assert [query(s.google)["dates"] for s in sessions] == [
        "20270201T080000Z/20270201T113000Z",
        "20270201T130000Z/20270201T160000Z",
    ]
    assert sessions[0].when == "lundi 1 février 2027 de 9 h à 12 h 30"


def test_public_links_never_carry_the_join_link(app):
    event = make_event("Webinaire", event_format=EventFormat.ONLINE, visio_url=VISIO)
    box = links.add_to_calendar(event)
    assert box.personal_feed_url is None
    assert box.ics_url == f"http://localhost/evenements/{event.slug}/agenda.ics"
    for session in box.sessions:
        for url in (session.google, session.outlook_com, session.office_365):
            assert "visio.example.org" not in url


def test_confirmed_registrant_links_carry_the_join_link(app):
    event = make_event("Webinaire", event_format=EventFormat.ONLINE, visio_url=VISIO)
    receipt = services.register(event.id, applicant(1))
    box = links.add_to_calendar(event, receipt.token)
    assert box.ics_url == f"http://localhost/inscription/{receipt.token}/agenda.ics"
    assert box.personal_feed_url == f"http://localhost/inscription/{receipt.token}/agenda-personnel"
    (session,) = box.sessions
    # The registrant's tracked join link (attendance/join_links.py), not the raw URL.
    [join] = {query(session.google)["location"], query(session.outlook_com)["location"]}
    assert join.startswith("http://localhost/j/")
    assert VISIO not in session.google


def test_a_token_for_another_event_gives_the_public_links(app):
    event = make_event("Webinaire", event_format=EventFormat.ONLINE, visio_url=VISIO)
    other = make_event("Autre")
    receipt = services.register(other.id, applicant(1))
    box = links.add_to_calendar(event, receipt.token)
    assert box.personal_feed_url is None
    assert "visio.example.org" not in box.sessions[0].google


def test_subscription_links_point_at_the_feed(app):
    subscription = links.feed_subscription(kind=EventKind.ATELIER_COLLECTIF)
    assert subscription.url == "http://localhost/agenda/type/atelier_collectif.ics"
    assert subscription.webcal_url == "webcal://localhost/agenda/type/atelier_collectif.ics"
    assert query(subscription.google_url) == {"cid": subscription.webcal_url}
    assert subscription.google_url.startswith("https://calendar.google.com/calendar/r?cid=")
    outlook = query(subscription.outlook_url)
    assert subscription.outlook_url.startswith("https://outlook.live.com/calendar/0/addfromweb?")
    assert outlook == {
        "url": subscription.url,
        "name": "Atelier collectif – Coorace Occitanie",
    }


def test_add_to_calendar_partial_escapes_what_staff_typed(app):
    title = '"><script>alert(1)</script> & co'
    event = make_event(title, event_format=EventFormat.IN_PERSON, venue_name="Salle <b>1</b>")
    page = render('{% include "calendar/_add_to_calendar.html" %}', event=event)
    assert "<script>" not in page
    assert "<b>" not in page
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)]
    assert len(hrefs) == 4
    google = next(h for h in hrefs if h.startswith("https://calendar.google.com"))
    assert query(google)["text"] == title
    assert query(google)["location"] == "Salle <b>1</b>"
    assert "Ajouter à mon agenda" in page
    assert "agenda-personnel" not in page


def test_add_to_calendar_partial_offers_the_personal_feed_to_a_registrant(app):
    event = make_event("Atelier")
    receipt = services.register(event.id, applicant(1))
    page = render(
        '{% include "calendar/_add_to_calendar.html" %}',
        event=event,
        registration_token=receipt.token,
    )
    assert f'action="http://localhost/inscription/{receipt.token}/agenda-personnel"' in page
    assert f'href="http://localhost/inscription/{receipt.token}/agenda.ics"' in page


def test_subscribe_partial_lists_webcal_google_and_outlook(app):
    page = render(
        "{% with subscription = feed_subscription() %}"
        '{% include "calendar/_subscribe.html" %}{% endwith %}'
    )
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)]
    assert hrefs == [
        "webcal://localhost/agenda.ics",
        "https://calendar.google.com/calendar/r?cid=webcal%3A//localhost/agenda.ics",
        "https://outlook.live.com/calendar/0/addfromweb?url=http%3A//localhost/agenda.ics"
        "&name=Coorace%20Occitanie%20%E2%80%93%20tous%20les%20%C3%A9v%C3%A9nements",
    ]


def test_the_event_page_offers_add_to_calendar_and_its_series_feed(client):
    from instant_coorace.events.models import Series

    series = Series(name="L'Instant Coorace", slug="l-instant-coorace")
    event = make_event(series=series)
    html = client.get(f"/evenements/{event.slug}").get_data(as_text=True)
    assert f"/evenements/{event.slug}/agenda.ics" in html
    assert "calendar.google.com" in html
    assert "webcal://localhost/agenda/serie/l-instant-coorace.ics" in html


def test_the_agenda_links_the_feed_of_what_it_shows(client):
    make_event()
    assert "webcal://localhost/agenda.ics" in client.get("/").get_data(as_text=True)
    filtered = client.get("/?kind=formation").get_data(as_text=True)
    assert "webcal://localhost/agenda/type/formation.ics" in filtered
