"""The public agenda and event pages, as a visitor sees them."""

from __future__ import annotations

import datetime as dt
import html as html_lib

from instant_coorace.database import utcnow
from instant_coorace.events.models import (
    Audience,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
    ProgrammeItem,
)
from instant_coorace.extensions import db
from instant_coorace.formatting import paris_datetime
from instant_coorace.registrations import services
from tests.builders import applicant, make_event

VISIO_URL = "https://visio.example.org/j/secret-room-4242"


def on_thursday_3_april_2031(event, *slots: tuple[int, int, int, int]):
    """Move ``event`` to fixed sessions on (and after) Thursday 3 April 2031, Paris time."""
    event.sessions.clear()
    db.session.flush()
    for offset, (start_h, start_m, end_h, end_m) in enumerate(slots):
        day = dt.date(2031, 4, 3 + offset // 2)
        event.sessions.append(
            EventSession(
                starts_at=paris_datetime(day, start_h, start_m),
                ends_at=paris_datetime(day, end_h, end_m),
            )
        )
    event.refresh_time_span()
    db.session.commit()
    return event


def page(client, url: str) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return html_lib.unescape(response.get_data(as_text=True))


def test_catalogue_lists_published_upcoming_and_running_events_only(client):
    make_event("Webinaire à venir")
    make_event(
        "Formation en cours", starts_in=-dt.timedelta(minutes=30), duration=dt.timedelta(hours=3)
    )
    make_event("Atelier brouillon", status=EventStatus.DRAFT)
    make_event("Rencontre annulée", status=EventStatus.CANCELLED)
    make_event("Webinaire passé", starts_in=-dt.timedelta(days=3))

    html = page(client, "/")

    assert "Webinaire à venir" in html
    assert "Formation en cours" in html
    for hidden in ("Atelier brouillon", "Rencontre annulée", "Webinaire passé"):
        assert hidden not in html


def test_catalogue_orders_events_by_date(client):
    make_event("Le plus tard", starts_in=dt.timedelta(days=30))
    make_event("Le plus tôt", starts_in=dt.timedelta(days=2))
    html = page(client, "/")
    assert html.index("Le plus tôt") < html.index("Le plus tard")


def test_catalogue_filters_by_kind_format_and_department(client):
    make_event("Instant visio", kind=EventKind.INSTANT_COORACE, event_format=EventFormat.ONLINE)
    make_event(
        "Atelier à Toulouse",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        department="31",
    )
    make_event(
        "Atelier à Montpellier",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        department="34",
    )

    by_kind = page(client, "/?kind=atelier_collectif")
    by_format = page(client, "/?format=online")
    by_department = page(client, "/?department=34")
    everything = page(client, "/?kind=nimporte-quoi&department=99")

    assert "Atelier à Toulouse" in by_kind and "Instant visio" not in by_kind
    assert "Instant visio" in by_format and "Atelier à Toulouse" not in by_format
    assert "Atelier à Montpellier" in by_department and "Atelier à Toulouse" not in by_department
    assert all(title in everything for title in ("Instant visio", "Atelier à Toulouse"))
    assert '<option selected value="34">' in by_department


def test_catalogue_says_when_no_event_matches(client):
    make_event("Instant visio", kind=EventKind.INSTANT_COORACE)
    html = page(client, "/?kind=formation")
    assert "Aucun événement à venir ne correspond à ces filtres" in html


def test_catalogue_card_shows_the_french_date_place_and_seats(client):
    online = on_thursday_3_april_2031(make_event("Instant RSE", capacity=12), (10, 0, 11, 30))
    training = on_thursday_3_april_2031(
        make_event(
            "Formation encadrants",
            kind=EventKind.FORMATION,
            event_format=EventFormat.IN_PERSON,
            venue_name="Maison des associations",
            capacity=None,
        ),
        (9, 0, 12, 30),
        (14, 0, 17, 0),
        (9, 0, 12, 30),
        (14, 0, 17, 0),
    )
    full = make_event("Atelier complet", capacity=1)
    services.register(full.id, applicant(1))
    services.register(online.id, applicant(2))

    html = page(client, "/")

    assert "jeudi 3 avril 2031 de 10 h à 11 h 30" in html
    assert "jeudi 3 avril 2031 de 9 h à 12 h 30 · 4 sessions" in html
    assert "En visio" in html and "Maison des associations" in html
    assert "11 places restantes" in html
    assert "Places illimitées" in html
    assert "Complet — liste d'attente" in html
    assert "Adhérents et partenaires" in html
    assert training.slug in html


def test_event_page_shows_programme_sessions_and_place_but_never_the_visio_link(client):
    event = on_thursday_3_april_2031(
        make_event(
            "Journée régionale",
            kind=EventKind.JOURNEE,
            event_format=EventFormat.HYBRID,
            venue_name="Hôtel de Région",
            venue_address="22 boulevard du Maréchal Juin, 31400 Toulouse",
            visio_url=VISIO_URL,
            description="Une journée **d'échanges**.<script>alert(1)</script>",
            audience=Audience.MEMBERS,
        ),
        (9, 30, 12, 30),
        (14, 0, 17, 0),
    )
    event.programme.append(ProgrammeItem(position=1, time_label="9 h 30", title="Accueil café"))
    db.session.commit()

    html = page(client, f"/evenements/{event.slug}")

    assert "jeudi 3 avril 2031 de 9 h 30 à 12 h 30" in html
    assert "jeudi 3 avril 2031 de 14 h à 17 h" in html
    assert "Hôtel de Région, 22 boulevard du Maréchal Juin, 31400 Toulouse ou en visio" in html
    assert "<strong>d'échanges</strong>" in html
    assert "alert(1)" not in html
    assert "Accueil café" in html
    assert "Réservé aux structures adhérentes" in html
    assert "secret-room" not in html
    assert f'href="/evenements/{event.slug}/inscription"' in html


def test_event_page_of_a_full_event_offers_the_waiting_list(client):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    html = page(client, f"/evenements/{event.slug}")
    assert "Rejoindre la liste d'attente" in html


def test_event_page_tells_when_registration_opens_or_closed(client):
    opens = utcnow() + dt.timedelta(days=3)
    not_yet = make_event("Pas encore", registration_opens_at=opens)
    closed = make_event("Trop tard", registration_closes_at=utcnow() - dt.timedelta(hours=1))

    not_yet_html = page(client, f"/evenements/{not_yet.slug}")
    closed_html = page(client, f"/evenements/{closed.slug}")

    assert "Les inscriptions ouvriront le" in not_yet_html
    assert "/inscription" not in not_yet_html
    assert "Inscriptions closes" in closed_html
    assert "/inscription" not in closed_html


def test_cancelled_event_page_says_so_and_offers_no_form(client):
    event = make_event("Atelier annulé", status=EventStatus.CANCELLED)
    html = page(client, f"/evenements/{event.slug}")
    assert "Événement annulé" in html
    assert "/inscription" not in html


def test_draft_or_unknown_event_is_not_found(client):
    draft = make_event(status=EventStatus.DRAFT)
    for url in (f"/evenements/{draft.slug}", "/evenements/nexiste-pas"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


def test_catalogue_card_shows_the_city_and_department(client):
    make_event(
        "Atelier Toulouse",
        event_format=EventFormat.IN_PERSON,
        venue_name="La Bouillonnante",
        venue_address="12 rue des Arts, 31000 Toulouse",
        department="31",
    )
    make_event(
        "Journée Montpellier",
        event_format=EventFormat.HYBRID,
        venue_address="Avenue Albert Einstein, 34000 Montpellier",
        department="34",
    )
    make_event("Atelier Rodez", event_format=EventFormat.IN_PERSON, department="12")
    make_event("Webinaire", event_format=EventFormat.ONLINE)

    html = page(client, "/")

    assert "Toulouse (31) · La Bouillonnante" in html
    assert "Montpellier (34) ou en visio" in html
    assert "Aveyron (12)" in html
    assert "En visio" in html
