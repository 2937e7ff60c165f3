"""Checking people in at the door: search, one tap present, one tap undone,
walk-ins, and what a scanned QR code leads to."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import event as sa_event
from sqlalchemy import select

from instant_coorace.attendance.check_in_links import check_in_token, check_in_url
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, record
from instant_coorace.database import utcnow
from instant_coorace.events.models import EventFormat
from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationSource
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event, make_structure


def _event(**options):
    options = {"event_format": EventFormat.IN_PERSON, "capacity": 3} | options
    return make_event("Atelier collectif « Recruter autrement »", **options)


def _page(event, session, query=""):
    return f"/gestion/evenements/{event.id}/accueil/{session.id}{query}"


def _rows(session_id):
    db.session.expire_all()
    return db.session.scalars(
        select(SessionAttendance).where(SessionAttendance.session_id == session_id)
    ).all()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(page):
    text = re.sub(r"<[^>]+>", "", page)
    found = re.search(r"(\d+) présent·es? sur (\d+) attendu·es?", text)
    return int(found.group(1)), int(found.group(2))


def test_the_door_opens_on_the_next_session_and_searches_name_or_structure(app, staff_client):
    event = _event(sessions=2)
    regie = make_structure("Régie de quartier Béziers")
    services.register(event.id, applicant(1, regie, last_name="Lefèvre"))
    services.register(event.id, applicant(2, last_name="Dupont", other_structure_name="ACI Sud"))
    first = event.sessions[0]

    door = staff_client.get(f"/gestion/evenements/{event.id}/accueil")
    assert door.status_code == 302 and door.headers["Location"].endswith(_page(event, first))

    everyone = _text(staff_client.get(_page(event, first)))
    assert "Camille Lefèvre" in everyone and "Camille Dupont" in everyone
    assert _count(everyone) == (0, 2)
    by_structure = _text(staff_client.get(_page(event, first, "?q=beziers")))
    assert "Lefèvre" in by_structure and "Dupont" not in by_structure
    by_name = _text(staff_client.get(_page(event, first, "?q=LEFEVRE")))
    assert "Lefèvre" in by_name and "Dupont" not in by_name
    nobody = _text(staff_client.get(_page(event, first, "?q=Zola")))
    assert "Personne ne correspond à « Zola »" in nobody


def test_one_tap_marks_present_a_second_tap_changes_nothing_and_undo_takes_it_back(
    app, staff_client
):
    event = _event()
    receipt = services.register(event.id, applicant(1))
    session = event.sessions[0]
    tap = _page(event, session, f"/{receipt.registration_id}")

    first = staff_client.post(tap, data={"q": "Martin"})
    assert first.status_code == 303
    assert first.headers["Location"].endswith(
        f"{_page(event, session)}?q=Martin#inscription-{receipt.registration_id}"
    )
    [row] = _rows(session.id)
    assert (row.status, row.source) == (AttendanceStatus.PRESENT, AttendanceSource.CHECK_IN)
    assert row.recorded_by_id is not None
    marked_at = row.updated_at

    second = staff_client.post(tap, data={"q": ""}, follow_redirects=True)
    assert "était déjà marqué·e présent·e" in _text(second)
    [row] = _rows(session.id)
    assert row.updated_at == marked_at
    assert _count(_text(staff_client.get(_page(event, session)))) == (1, 1)

    undone = staff_client.post(tap + "/annuler", data={}, follow_redirects=True)
    assert "Présence annulée." in _text(undone)
    assert _rows(session.id) == []
    again = staff_client.post(tap + "/annuler", data={}, follow_redirects=True)
    assert "n'était pas marquée présente" in _text(again)


def test_a_tap_at_the_door_does_not_erase_a_presence_proved_otherwise(app, staff_client):
    event = _event()
    receipt = services.register(event.id, applicant(1))
    session = event.sessions[0]
    with write_transaction():
        record(
            [
                Observation(
                    receipt.registration_id,
                    session.id,
                    AttendanceStatus.PRESENT,
                    AttendanceSource.REPORT,
                    minutes_attended=85,
                )
            ]
        )
    tap = _page(event, session, f"/{receipt.registration_id}")

    refused = staff_client.post(tap + "/annuler", data={}, follow_redirects=True)

    assert "d'après un rapport de présence importé" in _text(refused)
    [row] = _rows(session.id)
    assert (row.source, row.minutes_attended) == (AttendanceSource.REPORT, 85)


def test_the_script_gets_the_new_row_and_count_as_json(app, staff_client):
    event = _event()
    receipt = services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    session = event.sessions[0]

    response = staff_client.post(
        _page(event, session, f"/{receipt.registration_id}"),
        data={"q": ""},
        headers={"Accept": "application/json"},
    )
    data = response.get_json()
    assert (data["present"], data["expected"]) == (1, 2)
    assert "Présent·e depuis" in data["row_html"]
    assert f"/{receipt.registration_id}/annuler" in data["row_html"]


def test_a_cancelled_or_waitlisted_registration_or_another_event_is_refused(app, staff_client):
    event = _event(capacity=1)
    services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))
    other = _event()
    stranger = services.register(other.id, applicant(3))
    session = event.sessions[0]

    refused = staff_client.post(
        _page(event, session, f"/{waiting.registration_id}"), follow_redirects=True
    )
    assert "est sur liste d'attente" in _text(refused)
    foreign = staff_client.post(
        _page(event, session, f"/{stranger.registration_id}"), follow_redirects=True
    )
    assert "ne concerne pas cette session" in _text(foreign)
    assert staff_client.post(_page(other, session, f"/{stranger.registration_id}")).status_code == (
        404
    )
    assert _rows(session.id) == []


def test_a_walk_in_is_registered_on_site_beyond_capacity_and_checked_in(app, staff_client):
    event = _event(capacity=1)
    services.register(event.id, applicant(1))
    session = event.sessions[0]
    form = {
        "email": "nouvelle@aci.example.org",
        "first_name": "Inès",
        "last_name": "Moreau",
        "structure_id": "",
        "other_structure_name": "ACI Les Jardins",
        "job_title": "Encadrante technique",
    }

    page = staff_client.get(_page(event, session, "/sur-place"))
    assert page.status_code == 200
    missing = staff_client.post(_page(event, session, "/sur-place"), data=form | {"last_name": ""})
    assert missing.status_code == 422
    assert "Indiquez le nom." in _text(missing)
    assert 'value="Inès"' in _text(missing)
    assert _rows(session.id) == []

    added = staff_client.post(_page(event, session, "/sur-place"), data=form, follow_redirects=True)
    assert "Inès Moreau : inscrit·e sur place et présent·e." in _text(added)
    walk_in = db.session.scalars(
        select(Registration).where(Registration.last_name == "Moreau")
    ).one()
    assert walk_in.source is RegistrationSource.ON_SITE
    assert walk_in.status.value == "confirmed"
    [row] = _rows(session.id)
    assert row.registration_id == walk_in.id and row.is_present
    # Already in the room: no confirmation, no invitation.
    assert not db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.registration_id == walk_in.id)
    ).all()

    # Someone already registered who is typed in again is simply checked in.
    registered = services.register(event.id, applicant(5))  # waitlisted: capacity 1
    db.session.get(Registration, registered.registration_id).status = walk_in.status
    db.session.commit()
    again = staff_client.post(
        _page(event, session, "/sur-place"),
        data=form | {"email": "personne5@adherent.example.org"},
        follow_redirects=True,
    )
    assert again.status_code == 200
    assert len(_rows(session.id)) == 2


def test_a_scanned_code_asks_anyone_but_staff_to_log_in_and_changes_nothing(app, client):
    event = _event()
    receipt = services.register(event.id, applicant(1))
    registration = db.session.get(Registration, receipt.registration_id)
    url = check_in_url(registration).removeprefix("http://localhost")
    session = event.sessions[0]

    assert client.get(url).status_code == 302
    assert "/gestion/connexion" in client.get(url).headers["Location"]
    response = client.post(url, data={"session": session.id})
    assert response.status_code == 302 and "/gestion/connexion" in response.headers["Location"]
    assert _rows(session.id) == []
    # The code is not the registrant's own link: it opens nothing on the public site.
    assert client.get(f"/inscription/{check_in_token(registration)}").status_code == 404


def test_staff_scanning_a_code_confirm_the_person_present(app, staff_client):
    event = _event(sessions=2)
    receipt = services.register(event.id, applicant(1, last_name="Garcia"))
    registration = db.session.get(Registration, receipt.registration_id)
    url = check_in_url(registration).removeprefix("http://localhost")
    second = event.sessions[1]

    page = _text(staff_client.get(f"{url}?session={second.id}"))
    assert "Camille Garcia" in page and "Confirmer la présence" in page
    assert _rows(second.id) == []  # opening it changes nothing

    done = staff_client.post(url, data={"session": second.id}, follow_redirects=True)
    assert "Camille Garcia : présent·e." in _text(done)
    assert [row.registration_id for row in _rows(second.id)] == [registration.id]
    assert _rows(event.sessions[0].id) == []
    page = _text(staff_client.get(f"{url}?session={second.id}"))
    assert "Déjà présent·e" in page

    assert staff_client.get(url[:-3] + "abc").status_code == 404


def test_a_usb_scanner_typing_the_address_into_the_search_goes_to_the_person(app, staff_client):
    event = _event()
    receipt = services.register(event.id, applicant(1))
    registration = db.session.get(Registration, receipt.registration_id)
    session = event.sessions[0]

    for typed in (check_in_url(registration), check_in_token(registration)):
        response = staff_client.get(_page(event, session), query_string={"q": typed})
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.endswith(
            f"/gestion/accueil/{check_in_token(registration)}?session={session.id}"
        )


def test_a_seat_handed_over_gets_a_new_code_and_the_old_one_leads_nowhere(app, staff_client):
    event = _event()
    structure = make_structure()
    receipt = services.register(event.id, applicant(1, structure))
    registration = db.session.get(Registration, receipt.registration_id)
    old = check_in_url(registration).removeprefix("http://localhost")

    services.hand_over(receipt.registration_id, applicant(2, structure))
    db.session.expire_all()
    new = check_in_url(db.session.get(Registration, receipt.registration_id))

    assert new.removeprefix("http://localhost") != old
    assert staff_client.get(old).status_code == 404
    assert staff_client.get(new.removeprefix("http://localhost")).status_code == 200


def test_a_walk_in_is_taken_after_registration_closed(app, staff_client):
    event = _event(registration_closes_at=utcnow() - dt.timedelta(days=1))
    session = event.sessions[0]
    form = {
        "email": "retard@aci.example.org",
        "first_name": "Léa",
        "last_name": "Roux",
        "structure_id": "",
        "other_structure_name": "EI Le Relais",
        "job_title": "Directrice",
    }

    added = staff_client.post(_page(event, session, "/sur-place"), data=form, follow_redirects=True)

    assert "Léa Roux : inscrit·e sur place et présent·e." in _text(added)
    assert len(_rows(session.id)) == 1


def test_the_door_list_reads_the_same_for_3_or_40_registrants(app, staff_client):
    small, large = _event(capacity=None), _event(capacity=None)
    for n in range(3):
        services.register(small.id, applicant(f"s{n}"))
    for n in range(40):
        services.register(large.id, applicant(f"l{n}"))

    urls = [_page(event, event.sessions[0], "?q=Camille") for event in (small, large)]

    def statements(url: str) -> int:
        seen = []
        db.session.remove()
        listen = lambda *args: seen.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert staff_client.get(url).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listen)
        return len(seen)

    staff_client.get(urls[0])  # the logged-in user is then cached
    assert statements(urls[0]) == statements(urls[1])
