"""The team's page of an event's reminders: what is planned, sent and dropped,
and the choices it can change, with French messages next to a wrong field."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import time_machine
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.staff.models import StaffUser
from tests.builders import applicant
from tests.conftest import _logged_in
from tests.reminder_helpers import event_on, paris, scan


class _Table(HTMLParser):
    """Each body row of a table, by its header cell: the texts of its other cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._text = []

    def handle_data(self, data) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag) -> None:
        if tag in ("th", "td") and self._text is not None:
            self._row.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row:
            self.rows[self._row[0]] = self._row[1:]
            self._row = None


def table_rows(html: str) -> dict[str, list[str]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


FORM = {
    "week_before": "y",
    "day_before": "y",
    "access_info": "Tram B, arrêt Compans.",
    "follow_up_enabled": "y",
    "follow_up_message": "Merci !",
    "replay_url": "https://replay.example.org/avril",
    "survey_url": "",
    "follow_up_delay_hours": "",
}


def test_the_event_page_leads_to_its_reminders(app, staff_client):
    event_id = event_on(dt.date(2031, 4, 3), 10)
    page = staff_client.get(f"/gestion/evenements/{event_id}").get_data(as_text=True)
    assert f"/gestion/evenements/{event_id}/rappels" in page


def test_the_team_sees_the_reminders_planned_sent_and_dropped(app, staff_client):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        for number in (1, 2, 3):
            services.register(event_id, applicant(number))
        clock.move_to(paris(2031, 3, 27, 10))
        scan()  # J-7 sent to three
        clock.move_to(paris(2031, 4, 2, 11))
        scan()  # J-1 found an hour late: dropped for three
        _logged_in(staff_client, db.session.scalars(select(StaffUser)).first())  # days went by
        page = staff_client.get(f"/gestion/evenements/{event_id}/rappels")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = table_rows(html)
    week, day, hour = (
        rows["J-7, une semaine avant"],
        rows["J-1, la veille"],
        rows["H-1, une heure avant"],
    )
    assert week[1:] == ["—", "3", "0", "0", "0"]
    assert day[1:] == ["—", "0", "0", "0", "3"]
    assert hour[:2] == ["jeudi 3 avril 2031 à 9 h", "3"]
    assert "mercredi 2 avril 2031 à 10 h" in day[0]


def test_the_team_changes_the_reminders_of_an_event(app, staff_client):
    event_id = event_on(dt.date(2031, 4, 3), 10)
    response = staff_client.post(f"/gestion/evenements/{event_id}/rappels", data=FORM)
    assert response.status_code == 302
    plan = db.session.get(ReminderPlan, event_id)
    assert (plan.week_before, plan.day_before, plan.hour_before) == (True, True, False)
    assert plan.replay_url == "https://replay.example.org/avril"
    assert plan.follow_up_delay_hours is None
    page = staff_client.get(f"/gestion/evenements/{event_id}/rappels").get_data(as_text=True)
    assert "Rappels et suivi enregistrés." in page
    assert "Tram B, arrêt Compans." in page


def test_a_wrong_link_or_delay_is_told_next_to_its_field_and_nothing_is_saved(app, staff_client):
    event_id = event_on(dt.date(2031, 4, 3), 10)
    form = FORM | {"survey_url": "javascript:alert(1)", "follow_up_delay_hours": "9999"}
    response = staff_client.post(f"/gestion/evenements/{event_id}/rappels", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indiquez une adresse web complète, commençant par https://." in html
    assert "heures entre 1 et 336." in html
    assert 'aria-invalid="true"' in html
    assert "Tram B, arrêt Compans." in html  # the rest is kept
    assert db.session.get(ReminderPlan, event_id) is None


def test_an_unknown_event_has_no_reminder_page(staff_client):
    assert staff_client.get("/gestion/evenements/999999/rappels").status_code == 404
    assert staff_client.post("/gestion/evenements/999999/rappels", data=FORM).status_code == 404


def test_the_reminder_page_is_for_the_team_only(app, client):
    event_id = event_on(dt.date(2031, 4, 3), 10)
    response = client.get(f"/gestion/evenements/{event_id}/rappels")
    assert response.status_code == 302
    assert "/gestion/connexion" in response.headers["Location"]
