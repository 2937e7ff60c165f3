"""One rule for what people type and what addresses carry: control characters,
line breaks in single-line fields, integers beyond their column and dates out of
any sensible range get a French answer, never a server error, and nothing is
written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.members.models import Person, Structure
from instant_coorace.members.services import import_structures_from_csv
from instant_coorace.registrations.models import Registration
from tests.builders import make_event, make_structure
from tests.live_server import form_values, registration_path
from tests.test_directory_import_pages import SEED, upload
from tests.test_event_management import NEW, training_form


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return response.get_data(as_text=True)


# Public registration form


def test_a_nul_byte_in_a_name_is_refused_in_french_next_to_the_field(app, client):
    event = make_event()

    response = client.post(registration_path(event.slug), data=form_values(1, first_name="Eve\0"))

    assert response.status_code == 422
    assert "caractère invisible" in text_of(response)
    assert 'id="first_name-erreur"' in text_of(response)
    assert 'value="Bernard 1"' in text_of(response)  # the other fields are kept
    assert count(Registration) == 0
    assert count(Person) == 0


def test_a_line_break_in_a_name_becomes_a_space(app, client):
    event = make_event()

    response = client.post(
        registration_path(event.slug), data=form_values(1, first_name="Jean\r\nPierre\t")
    )

    assert response.status_code == 303
    assert db.session.scalar(select(Person.first_name)) == "Jean Pierre"


def test_the_needs_keep_their_lines_in_one_newline_convention(app, client):
    event = make_event()

    response = client.post(
        registration_path(event.slug), data=form_values(1, needs="Fauteuil\r\nRampe\rAscenseur")
    )

    assert response.status_code == 303
    assert db.session.scalar(select(Registration.needs)) == "Fauteuil\nRampe\nAscenseur"


def test_a_structure_id_beyond_the_column_is_not_in_the_list(app, client):
    event = make_event()

    for structure_id in ("9999999999", "99999999999", "2147483648"):
        response = client.post(
            registration_path(event.slug), data=form_values(1, structure_id=structure_id)
        )
        assert response.status_code == 422, structure_id
        assert "pas dans la liste" in text_of(response)
    assert count(Registration) == 0


# Query strings and paths


@pytest.mark.parametrize(
    "url",
    [
        "/gestion/personnes/?q=a%00b",
        "/gestion/annuaire/?q=a%00b",
        "/gestion/annuaire/export.csv?q=a%00b",
        "/gestion/evenements/?filtre=a%00b",
        "/gestion/courriels/?statut=%01",
        "/?kind=%00",
    ],
)
def test_a_control_character_in_the_query_string_is_a_french_400(app, staff_client, url):
    response = staff_client.get(url)

    assert response.status_code == 400
    assert "caractère invisible" in text_of(response)


def test_a_control_character_in_the_roster_search_is_a_french_400(app, staff_client):
    event = make_event()

    response = staff_client.get(f"/gestion/evenements/{event.id}/inscrits?q=a%00b")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["/evenements/a%00b", "/evenements/a%00b/inscription", "/agenda/serie/%1b.ics"]
)
def test_a_control_character_in_the_path_is_a_french_404(app, client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)


@pytest.mark.parametrize(
    "path",
    [
        "/gestion/annuaire/99999999999",
        "/gestion/annuaire/99999999999999999999",
        "/gestion/evenements/2147483648",
        "/gestion/evenements/99999999999/inscrits",
        "/gestion/personnes/99999999999",
    ],
)
def test_an_id_beyond_the_columns_range_in_the_path_is_a_french_404(app, staff_client, path):
    response = staff_client.get(path)

    assert response.status_code == 404
    assert "introuvable" in text_of(response)


def test_the_largest_id_the_column_holds_is_still_looked_up(app, staff_client):
    response = staff_client.get("/gestion/annuaire/2147483647")

    assert response.status_code == 404


# The event form of the back office


def test_a_capacity_beyond_the_columns_range_is_refused_in_french(app, staff_client):
    response = staff_client.post(NEW, data=training_form(capacity="99999999999"))

    assert response.status_code == 200
    assert "Ce nombre est trop grand" in text_of(response)
    assert 'value="Formation : encadrer une équipe en insertion"' in text_of(response)
    assert count(Event) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("sessions-0-day", "0001-01-01"),
        ("sessions-0-day", "9999-12-31"),
        ("registration_closes", "0001-01-01T00:00"),
        ("registration_opens", "9999-12-31T23:59"),
    ],
)
def test_a_date_out_of_range_is_refused_in_french(app, staff_client, field, value):
    response = staff_client.post(NEW, data=training_form(**{field: value}))

    assert response.status_code == 200
    assert "entre 2000 et 2100" in text_of(response)
    assert count(Event) == 0


def test_a_non_numeric_hidden_session_id_is_refused_without_an_error_page(app, staff_client):
    event = make_event()
    data = training_form(**{"sessions-0-session_id": "abc"})

    response = staff_client.post(f"/gestion/evenements/{event.id}/modifier", data=data)

    assert response.status_code in (200, 400)
    assert count(EventSession) == 1
    assert db.session.get(Event, event.id).title == "L'Instant Coorace"


@pytest.mark.parametrize(
    "action", ["retirer-sessions-²", "retirer-sessions-99999999999999999999", "retirer-\0-1"]
)
def test_a_malformed_row_action_does_not_break_the_form(app, staff_client, action):
    response = staff_client.post(NEW, data=training_form(action=action))

    assert response.status_code < 500
    assert count(Event) <= 1


def test_an_unknown_action_is_a_french_400_and_saves_nothing(app, staff_client):
    response = staff_client.post(NEW, data=training_form(action="supprimer-tout"))

    assert response.status_code == 400
    assert "Requête invalide" in text_of(response)
    assert count(Event) == 0


def test_a_line_break_in_an_event_title_does_not_reach_the_database(app, staff_client):
    response = staff_client.post(
        NEW, data=training_form(title="Formation\r\nencadrer\nune équipe", slug="formation")
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Event.title)) == "Formation encadrer une équipe"


# The directory


def test_a_nul_byte_in_a_structures_name_is_refused(app, staff_client):
    structure = make_structure("Régie de quartier")

    response = staff_client.post(
        f"/gestion/annuaire/{structure.id}",
        data={"name": "Régie\0", "membership": "member", "department": "31"},
    )

    assert response.status_code == 200
    assert "caractère invisible" in text_of(response)
    db.session.rollback()
    assert db.session.get(Structure, structure.id).name == "Régie de quartier"


def test_an_imported_file_with_a_control_character_is_refused_whole(app, admin_client):
    header = SEED.read_bytes().split(b"\n", 1)[0]
    content = header + b"\nR\xc3\xa9gie\x00 de quartier;ACI;31;;31000;Toulouse;;;\n"

    preview = upload(admin_client, content)

    assert preview.status_code == 422
    assert "caractères de contrôle" in text_of(preview)
    assert count(Structure) == 0


def test_a_line_with_a_control_character_is_skipped_with_its_reason_from_text(app):
    header = SEED.read_text(encoding="utf-8").split("\n", 1)[0]
    report = import_structures_from_csv(
        header + "\nRégie\x00 de quartier;ACI;31;;31000;Toulouse;;;\n", dry_run=True
    )

    assert [row.details for row in report.rows] == [("caractère invisible non autorisé",)]


# Every form inherits the rule


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_form_of_the_site_is_built_on_the_input_rule():
    """A form made on plain WTForms or Flask-WTF would skip the rule."""
    import importlib
    import pkgutil

    import wtforms

    import instant_coorace
    from instant_coorace.forms import PlainForm, SiteForm

    for module in pkgutil.walk_packages(instant_coorace.__path__, "instant_coorace."):
        importlib.import_module(module.name)
    ours = {
        form
        for form in _subclasses(wtforms.Form)
        if form.__module__.startswith("instant_coorace.")
        and form.__module__ != "instant_coorace.forms"
    }

    assert len(ours) >= 15
    assert [form for form in ours if not issubclass(form, SiteForm | PlainForm)] == []
