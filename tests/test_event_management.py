"""The team creates, edits, publishes, unpublishes and cancels events."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from instant_coorace.events import services
from instant_coorace.events.drafts import ProgrammeDraft, SessionDraft
from instant_coorace.events.models import (
    Event,
    EventStatus,
    Series,
)
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration, RegistrationStatus
from tests.builders import applicant, make_event, make_events_in_bulk, webinar_draft

UTC = dt.UTC
NEW = "/gestion/evenements/nouveau"


def training_form(**overrides) -> dict:
    """The event form filled for a two-day training of four half-days."""
    data = {
        "kind": "formation",
        "series_id": "",
        "new_series_name": "",
        "title": "Formation : encadrer une équipe en insertion",
        "slug": "",
        "description": "Deux jours pour **encadrer**.",
        "audience": "members",
        "format": "in_person",
        "venue_name": "Maison de l'ESS",
        "venue_address": "12 rue de la République, 31000 Toulouse",
        "department": "31",
        "visio_url": "",
        "capacity": "12",
        "seats_per_structure": "2",
        "registration_opens": "",
        "registration_closes": "2031-03-01T18:00",
        "action": "enregistrer",
    }
    half_days = [
        ("2031-03-12", "09:00", "12:30", "Jour 1 — matin"),
        ("2031-03-12", "13:30", "17:00", "Jour 1 — après-midi"),
        ("2031-03-13", "09:00", "12:30", "Jour 2 — matin"),
        ("2031-03-13", "13:30", "17:00", "Jour 2 — après-midi"),
    ]
    for index, (day, starts, ends, label) in enumerate(half_days):
        data |= {
            f"sessions-{index}-day": day,
            f"sessions-{index}-starts": starts,
            f"sessions-{index}-ends": ends,
            f"sessions-{index}-label": label,
        }
    programme = [("9 h", "Accueil", ""), ("9 h 30", "Le rôle de l'encadrant·e", "Cas pratiques")]
    for index, (time_label, title, details) in enumerate(programme):
        data |= {
            f"programme-{index}-time_label": time_label,
            f"programme-{index}-title": title,
            f"programme-{index}-details": details,
        }
    return data | overrides


def published_webinar(**changes) -> int:
    event_id = services.create_event(webinar_draft(**changes))
    services.publish(event_id)
    return event_id


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def statuses(event_id: int) -> list[RegistrationStatus]:
    return list(
        db.session.scalars(
            select(Registration.status)
            .where(Registration.event_id == event_id)
            .order_by(Registration.id)
        )
    )


def test_team_creates_a_two_day_training_of_four_half_days_with_a_programme(app, staff_client):
    response = staff_client.post(NEW, data=training_form())
    event = db.session.scalars(select(Event)).one()
    assert response.location == f"/gestion/evenements/{event.id}"
    assert event.status is EventStatus.DRAFT
    assert event.slug == "formation-encadrer-une-equipe-en-insertion"
    assert [s.label for s in event.sessions] == [
        "Jour 1 — matin",
        "Jour 1 — après-midi",
        "Jour 2 — matin",
        "Jour 2 — après-midi",
    ]
    # March 2031 is winter time in Paris: UTC+1.
    assert event.sessions[0].starts_at == dt.datetime(2031, 3, 12, 8, 0, tzinfo=UTC)
    assert event.ends_at == dt.datetime(2031, 3, 13, 16, 0, tzinfo=UTC)
    assert event.registration_closes_at == dt.datetime(2031, 3, 1, 17, 0, tzinfo=UTC)
    assert [(p.time_label, p.title) for p in event.programme] == [
        ("9 h", "Accueil"),
        ("9 h 30", "Le rôle de l'encadrant·e"),
    ]
    assert (event.capacity, event.seats_per_structure) == (12, 2)

    page = staff_client.get(response.location).get_data(as_text=True)
    assert "mercredi 12 mars 2031 de 9 h à 12 h 30" in page
    assert "<strong>encadrer</strong>" in page


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(dt.date(2031, 1, 15), 8), (dt.date(2031, 7, 2), 7)],
    ids=["winter", "summer"],
)
def test_paris_wall_clock_is_stored_as_the_right_utc_instant(app, day, utc_hour):
    event_id = services.create_event(
        webinar_draft(sessions=(SessionDraft(day, dt.time(9), dt.time(10, 15)),))
    )
    session = db.session.get(Event, event_id).sessions[0]
    assert session.starts_at == dt.datetime.combine(day, dt.time(utc_hour), UTC)
    assert session.ends_at - session.starts_at == dt.timedelta(hours=1, minutes=15)


def test_edit_form_shows_the_times_in_paris(app, staff_client):
    event_id = services.create_event(
        webinar_draft(sessions=(SessionDraft(dt.date(2031, 7, 2), dt.time(9), dt.time(10)),))
    )
    page = staff_client.get(f"/gestion/evenements/{event_id}/modifier").get_data(as_text=True)
    assert 'value="2031-07-02"' in page and 'value="09:00"' in page


def test_form_errors_are_shown_next_to_fields_keep_input_and_write_nothing(app, staff_client):
    data = training_form(
        format="online",
        visio_url="",
        capacity="0",
        registration_opens="2031-03-02T09:00",
        registration_closes="2031-03-01T18:00",
    )
    data["sessions-1-ends"] = "12:00"  # before its 13:30 start
    response = staff_client.post(NEW, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Le formulaire contient 4 erreurs" in page
    assert "Un événement en visio a besoin de son lien de connexion." in page
    assert "Au moins 1 place." in page
    assert "La clôture doit être après l&#39;ouverture des inscriptions." in page
    assert "Session 2, fin : L&#39;heure de fin doit être après l&#39;heure de début." in page
    assert 'id="sessions-1-ends" aria-invalid="true"' in page or (
        'aria-invalid="true"' in page and 'id="sessions-1-ends-erreur"' in page
    )
    assert 'value="Formation : encadrer une équipe en insertion"' in page
    assert "Cas pratiques" in page
    assert event_count() == 0


def test_a_visio_link_must_be_a_web_address(app, staff_client):
    page = staff_client.post(NEW, data=training_form(visio_url="javascript:alert(1)")).get_data(
        as_text=True
    )
    assert "Le lien doit commencer par http:// ou https://." in page
    assert event_count() == 0


def test_an_event_needs_a_session(app, staff_client):
    data = {k: v for k, v in training_form().items() if not k.startswith("sessions-")}
    page = staff_client.post(NEW, data=data).get_data(as_text=True)
    assert "Ajoutez au moins une session" in page
    assert event_count() == 0


def test_add_session_button_adds_an_empty_row_without_javascript_and_saves_nothing(
    app, staff_client
):
    page = staff_client.post(NEW, data=training_form(action="ajouter-session")).get_data(
        as_text=True
    )
    assert 'name="sessions-4-day"' in page
    assert 'name="sessions-5-day"' not in page
    assert 'value="Jour 2 — après-midi"' in page
    assert "erreur" not in page.lower().split("<main", 1)[1].split("<form", 1)[0]
    assert event_count() == 0


def test_add_programme_item_and_remove_a_session_without_javascript(app, staff_client):
    page = staff_client.post(NEW, data=training_form(action="ajouter-point")).get_data(as_text=True)
    assert 'name="programme-2-title"' in page
    page = staff_client.post(NEW, data=training_form(action="retirer-sessions-1")).get_data(
        as_text=True
    )
    assert "Jour 1 — après-midi" not in page
    assert 'value="Jour 2 — après-midi"' in page and 'name="sessions-3-day"' not in page
    assert event_count() == 0


def test_a_taken_slug_is_refused_and_a_recurring_title_gets_its_date(app, staff_client):
    ids = [services.create_event(webinar_draft()) for _ in range(3)]
    slugs = [db.session.get(Event, i).slug for i in ids]
    day = db.session.get(Event, ids[0]).sessions[0].starts_at.astimezone(PARIS).date()
    dated = f"l-instant-coorace-d-avril-{day.isoformat()}"
    assert slugs == ["l-instant-coorace-d-avril", dated, f"{dated}-2"]

    page = staff_client.post(NEW, data=training_form(slug=slugs[0])).get_data(as_text=True)
    assert "Cette adresse est déjà utilisée par un autre événement." in page
    assert event_count() == 3


def test_a_new_series_is_created_from_its_name_and_reused(app, staff_client):
    staff_client.post(NEW, data=training_form(new_series_name="Ateliers collectifs"))
    staff_client.post(NEW, data=training_form(new_series_name=" ateliers  collectifs "))
    series = db.session.scalars(select(Series)).one()
    assert series.slug == "ateliers-collectifs"
    assert [e.series_id for e in db.session.scalars(select(Event))] == [series.id, series.id]


def test_publish_unpublish_and_cancel_through_the_pages(app, staff_client):
    event_id = services.create_event(webinar_draft())
    base = f"/gestion/evenements/{event_id}"

    response = staff_client.post(f"{base}/publier")
    assert db.session.get(Event, event_id).status is EventStatus.PUBLISHED
    detail = staff_client.get(response.location).get_data(as_text=True)
    assert "Événement publié" in detail and "Voir la page publique" in detail
    staff_client.post(f"{base}/depublier")
    assert db.session.get(Event, event_id).status is EventStatus.DRAFT

    confirmation = staff_client.get(f"{base}/annuler").get_data(as_text=True)
    assert "Oui, annuler l'événement" in confirmation
    staff_client.post(f"{base}/annuler")  # without the confirmation: nothing happens
    assert db.session.get(Event, event_id).status is EventStatus.DRAFT
    response = staff_client.post(f"{base}/annuler", data={"confirmation": "oui"})
    event = db.session.get(Event, event_id)
    assert event.status is EventStatus.CANCELLED
    assert event.calendar_sequence == 1
    assert "Événement annulé" in staff_client.get(response.location).get_data(as_text=True)


def test_publishing_needs_a_session(app):
    event_id = services.create_event(webinar_draft())
    db.session.get(Event, event_id).sessions = []
    db.session.commit()
    with pytest.raises(services.EventError, match="au moins une session"):
        services.publish(event_id)


def test_unpublishing_is_refused_while_people_are_registered(app, staff_client):
    event_id = published_webinar()
    registrations.register(event_id, applicant(1))
    response = staff_client.post(f"/gestion/evenements/{event_id}/depublier")
    page = staff_client.get(response.location).get_data(as_text=True)
    assert "Impossible de dépublier : 1 personne est inscrite" in page
    assert db.session.get(Event, event_id).status is EventStatus.PUBLISHED


def test_cancelling_keeps_the_registrations(app):
    event_id = published_webinar()
    registrations.register(event_id, applicant(1))
    registrations.register(event_id, applicant(2))
    services.cancel_event(event_id)
    assert statuses(event_id) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def test_raising_capacity_promotes_the_waiting_list_in_order(app):
    event_id = published_webinar(capacity=1)
    for number in range(4):
        registrations.register(event_id, applicant(number))
    outcome = services.update_event(event_id, webinar_draft(capacity=3))
    assert outcome.promoted == 2
    assert statuses(event_id) == [RegistrationStatus.CONFIRMED] * 3 + [
        RegistrationStatus.WAITLISTED
    ]
    services.update_event(event_id, webinar_draft(capacity=None))
    assert statuses(event_id) == [RegistrationStatus.CONFIRMED] * 4


def test_lowering_capacity_bumps_nobody_and_warns(app, staff_client):
    event_id = published_webinar(capacity=3)
    for number in range(3):
        registrations.register(event_id, applicant(number))
    data = training_form(
        kind="instant_coorace",
        title="L'Instant Coorace d'avril",
        slug="l-instant-coorace-d-avril",
        format="online",
        visio_url="https://visio.example.org/instant",
        capacity="1",
    )
    response = staff_client.post(f"/gestion/evenements/{event_id}/modifier", data=data)
    page = staff_client.get(response.location).get_data(as_text=True)
    assert "2 inscrit·e(s) confirmé·e(s) de plus que la nouvelle capacité" in page
    assert statuses(event_id) == [RegistrationStatus.CONFIRMED] * 3


def test_calendar_sequence_rises_when_times_change_but_not_for_a_new_title(app):
    event_id = published_webinar()
    [session] = db.session.get(Event, event_id).sessions
    same = (SessionDraft(dt.date(2031, 4, 3), dt.time(10), dt.time(11, 30), "", session.id),)
    renamed = services.update_event(
        event_id, webinar_draft(title="Nouveau titre", slug="x", sessions=same)
    )
    assert not renamed.sequence_raised
    assert db.session.get(Event, event_id).calendar_sequence == 0

    later = (SessionDraft(dt.date(2031, 4, 3), dt.time(14), dt.time(15, 30), "", session.id),)
    services.update_event(event_id, webinar_draft(sessions=later))
    services.update_event(
        event_id, webinar_draft(sessions=later, visio_url="https://visio.example.org/autre")
    )
    event = db.session.get(Event, event_id)
    assert event.calendar_sequence == 2
    assert event.starts_at == dt.datetime(2031, 4, 3, 12, 0, tzinfo=UTC)


def test_editing_replaces_sessions_and_programme(app):
    event_id = services.create_event(
        webinar_draft(programme=(ProgrammeDraft("Accueil"), ProgrammeDraft("Échanges")))
    )
    two_slots = (
        SessionDraft(dt.date(2031, 5, 1), dt.time(9), dt.time(12)),
        SessionDraft(dt.date(2031, 5, 1), dt.time(14), dt.time(17)),
    )
    services.update_event(
        event_id, webinar_draft(sessions=two_slots, programme=(ProgrammeDraft("Bilan"),))
    )
    event = db.session.get(Event, event_id)
    assert len(event.sessions) == 2 and [p.title for p in event.programme] == ["Bilan"]
    assert event.ends_at == dt.datetime(2031, 5, 1, 15, 0, tzinfo=UTC)


def test_list_filters_drafts_and_cancelled(app, staff_client):
    draft = services.create_event(webinar_draft(title="Brouillon de juin"))
    cancelled = services.create_event(webinar_draft(title="Rencontre annulée"))
    services.cancel_event(cancelled)
    published_webinar(title="Webinaire publié")

    def titles(filter_value: str) -> str:
        return staff_client.get(f"/gestion/evenements/?filtre={filter_value}").get_data(
            as_text=True
        )

    assert "Brouillon de juin" in titles("brouillons")
    assert "Webinaire publié" not in titles("brouillons")
    assert "Rencontre annulée" in titles("annules") and "Brouillon de juin" not in titles("annules")
    assert "Webinaire publié" in titles("a-venir")
    assert "Webinaire publié" not in titles("passes")
    everything = titles("tous")
    assert all(t in everything for t in ("Brouillon de juin", "Rencontre annulée", "publié"))
    assert draft


def test_unknown_event_pages_answer_404(app, staff_client):
    assert staff_client.get("/gestion/evenements/999").status_code == 404
    assert staff_client.post("/gestion/evenements/999/publier").status_code == 404


def test_the_event_list_comes_in_pages_that_keep_the_filter(app, staff_client):
    make_events_in_bulk(services.EVENTS_PER_PAGE + 2)
    make_event("Brouillon à finir", status=EventStatus.DRAFT)

    first = staff_client.get("/gestion/evenements/?filtre=a-venir").get_data(as_text=True)
    second = staff_client.get("/gestion/evenements/?filtre=a-venir&page=2").get_data(as_text=True)

    assert first.count('<td><a href="/gestion/evenements/') == services.EVENTS_PER_PAGE
    assert "Page 1 sur 2" in first
    assert 'href="/gestion/evenements/?page=2&amp;filtre=a-venir"' in first
    assert second.count('<td><a href="/gestion/evenements/') == 2
    assert "Brouillon à finir" not in first + second


def test_team_previews_a_draft_s_public_page(app, staff_client):
    draft = make_event("Atelier en préparation", status=EventStatus.DRAFT, capacity=10)
    preview_url = f"/gestion/evenements/{draft.id}/apercu"

    detail = staff_client.get(f"/gestion/evenements/{draft.id}").get_data(as_text=True)
    assert preview_url in detail
    response = staff_client.get(preview_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aperçu de la page publique" in page
    assert "brouillon" in page
    assert "Atelier en préparation" in page
    assert "10 places restantes" in page
    assert f'href="/evenements/{draft.slug}/inscription' not in page
    assert staff_client.get("/gestion/evenements/999999/apercu").status_code == 404


def test_the_public_never_sees_a_draft_nor_its_preview(app, client):
    draft = make_event("Atelier en préparation", status=EventStatus.DRAFT)

    preview = client.get(f"/gestion/evenements/{draft.id}/apercu")
    assert preview.status_code == 302 and "/connexion" in preview.headers["Location"]
    assert "Atelier en préparation" not in preview.get_data(as_text=True)
    assert client.get(f"/evenements/{draft.slug}").status_code == 404
