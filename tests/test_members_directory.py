"""The member directory in the back office: list, search, edit, deactivate, export."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.members.directory import structures_for_picker
from instant_coorace.members.importer import Outcome
from instant_coorace.members.models import Membership, Structure, StructureKind
from instant_coorace.members.services import DIRECTORY_PER_PAGE, import_structures_from_csv
from tests.builders import make_structure

LIST = "/gestion/annuaire/"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fill(structure: Structure, **values) -> Structure:
    for name, value in values.items():
        setattr(structure, name, value)
    db.session.commit()
    return structure


def valid_form(**overrides) -> dict:
    return {
        "name": "La Régie de Quartier",
        "membership": "member",
        "kinds": ["ACI", "EI"],
        "department": "31",
        "address": "2 rue des Lilas",
        "postcode": "31000",
        "city": "TOULOUSE",
        "phone": "0561029897",
        "email": "contact@regie.example.org",
        "notes": "",
    } | overrides


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", LIST),
        ("get", "/gestion/annuaire/1"),
        ("get", "/gestion/annuaire/nouvelle"),
        ("get", "/gestion/annuaire/import"),
        ("get", "/gestion/annuaire/export.csv"),
        ("post", "/gestion/annuaire/1/desactiver"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, app, method, path):
    structure = make_structure("CASTA")

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert "/gestion/connexion" in response.headers["Location"]
    assert db.session.get(Structure, structure.id).active


def test_list_shows_each_structure_with_its_details(staff_client):
    fill(
        make_structure("IRISSE", department="09", kinds=(StructureKind.AI, StructureKind.GES)),
        city="SAINT GIRONS",
        phone="05 61 04 64 80",
        email="contact@irisse.example.org",
    )
    make_structure("LA REGIE", active=False)

    page = staff_client.get(LIST).get_data(as_text=True)

    assert "IRISSE" in page
    assert "AI, GES" in page
    assert "SAINT GIRONS" in page
    assert "05 61 04 64 80" in page
    assert "contact@irisse.example.org" in page
    assert "Désactivée" in page
    assert 'class="error"' not in page


def test_search_looks_at_name_city_and_email(staff_client):
    fill(make_structure("CASTA"), city="ALZEN", email="casta@orange.example.org")
    fill(make_structure("CHORUS"), city="DECAZEVILLE", email="accueil@chorus.example.org")

    def found(query: str) -> set[str]:
        page = staff_client.get(LIST, query_string={"q": query}).get_data(as_text=True)
        return {name for name in ("CASTA", "CHORUS") if name in page}

    assert found("chorus") == {"CHORUS"}
    assert found("alzen") == {"CASTA"}
    assert found("orange") == {"CASTA"}
    assert found("100%_") == set()


def test_search_ignores_case_and_accents_and_sorts_accented_names_in_place(staff_client):
    """What a French team types: « beziers » finds « BÉZIERS », « régie » finds
    « RÉGIE », « oeuvre » finds « Œuvre », on SQLite as on PostgreSQL."""
    fill(make_structure("RÉGIE DE QUARTIER"), city="BÉZIERS")
    fill(make_structure("Œuvre Émeraude"), city="Sète")
    fill(make_structure("Zéphyr Insertion"), city="Albi")
    fill(make_structure("Atelier Côté Cour"), city="Castres")

    def found(query: str) -> list[str]:
        page = staff_client.get(LIST, query_string={"q": query}).get_data(as_text=True)
        names = ("Atelier Côté Cour", "Œuvre Émeraude", "RÉGIE DE QUARTIER", "Zéphyr Insertion")
        return sorted((page.index(name), name) for name in names if name in page)

    assert [name for _, name in found("beziers")] == ["RÉGIE DE QUARTIER"]
    assert [name for _, name in found("régie")] == ["RÉGIE DE QUARTIER"]
    assert [name for _, name in found("OEUVRE sete")] == ["Œuvre Émeraude"]
    assert [name for _, name in found("cote")] == ["Atelier Côté Cour"]
    # Alphabetical as a reader expects: « Œuvre » with the O, « Zéphyr » last.
    assert [name for _, name in found("")] == [
        "Atelier Côté Cour",
        "Œuvre Émeraude",
        "RÉGIE DE QUARTIER",
        "Zéphyr Insertion",
    ]


def test_filters_by_department_kind_membership_and_status(staff_client):
    make_structure("TARN ACI", department="81", kinds=(StructureKind.ACI,))
    make_structure("LOT AI", department="46", kinds=(StructureKind.AI,))
    make_structure("CRESS", department="31", kinds=(), membership=Membership.PARTNER)
    make_structure("ANCIENNE", department="31", active=False)

    def found(**args) -> set[str]:
        page = staff_client.get(LIST, query_string=args).get_data(as_text=True)
        return {n for n in ("TARN ACI", "LOT AI", "CRESS", "ANCIENNE") if n in page}

    assert found(departement="81") == {"TARN ACI"}
    assert found(type="AI") == {"LOT AI"}
    assert found(adhesion="partner") == {"CRESS"}
    assert found(statut="inactives") == {"ANCIENNE"}
    assert found(statut="actives", departement="31") == {"CRESS"}
    assert found(departement="inconnu") == {"TARN ACI", "LOT AI", "CRESS", "ANCIENNE"}


def test_a_long_directory_comes_in_pages_that_keep_the_filters(staff_client):
    for number in range(DIRECTORY_PER_PAGE + 2):
        make_structure(f"ACI {number:03d}", department="81")
    make_structure("ACI hors Tarn", department="31")
    filtered = {"q": "aci", "departement": "81"}

    first = text_of(staff_client.get(LIST, query_string=filtered))
    second = text_of(staff_client.get(LIST, query_string=filtered | {"page": 2}))
    beyond = text_of(staff_client.get(LIST, query_string=filtered | {"page": 99}))

    assert f"{DIRECTORY_PER_PAGE + 2} structures — page 1 sur 2" in first
    assert "ACI 000" in first and f"ACI {DIRECTORY_PER_PAGE:03d}" not in first
    assert re.search(r'href="[^"]*page=2[^"]*"', first)
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    assert "departement=81" in next_link and "q=aci" in next_link
    assert f"ACI {DIRECTORY_PER_PAGE:03d}" in second and "ACI 000" not in second
    assert "ACI hors Tarn" not in second
    assert "page 2 sur 2" in beyond  # a page past the end shows the last one


def count_queries(client, path: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_list_query_count_does_not_grow_with_the_directory(staff_client):
    for number in range(3):
        make_structure(f"PETITE {number}", kinds=(StructureKind.AI, StructureKind.ACI))
    few = count_queries(staff_client, LIST)
    for number in range(40):
        make_structure(f"GRANDE {number}", kinds=(StructureKind.EI, StructureKind.GES))

    assert count_queries(staff_client, LIST) == few


def test_new_structure_is_saved_with_a_normalised_phone(staff_client):
    response = staff_client.post("/gestion/annuaire/nouvelle", data=valid_form())

    assert response.status_code == 302
    structure = db.session.scalars(select(Structure)).one()
    assert structure.phone == "05 61 02 98 97"
    assert set(structure.kinds) == {StructureKind.ACI, StructureKind.EI}
    assert structure.active


def test_edit_form_shows_current_values(staff_client):
    structure = fill(
        make_structure("IRISSE", kinds=(StructureKind.AI, StructureKind.GES)), postcode="09200"
    )

    page = staff_client.get(f"/gestion/annuaire/{structure.id}").get_data(as_text=True)

    assert 'value="IRISSE"' in page
    assert 'value="09200"' in page
    checked = re.findall(
        r'<input checked id="kinds-\d" name="kinds" type="checkbox" value="(\w+)"', page
    )
    assert checked == ["AI", "GES"]


def test_edit_with_errors_keeps_input_and_writes_nothing(staff_client):
    structure = fill(make_structure("CASTA"), postcode="09240", phone="05 61 02 74 51")

    response = staff_client.post(
        f"/gestion/annuaire/{structure.id}",
        data=valid_form(name="CASTA ALZEN", postcode="8200", phone="05 65 50 05 62 a", email="x@"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Code postal invalide" in page
    assert "Numéro de téléphone invalide" in page
    assert "Adresse email invalide" in page
    assert "Le formulaire contient 3 erreurs" in page
    assert 'value="CASTA ALZEN"' in page
    assert 'value="05 65 50 05 62 a"' in page
    db.session.expire_all()
    unchanged = db.session.get(Structure, structure.id)
    assert (unchanged.name, unchanged.postcode, unchanged.phone) == (
        "CASTA",
        "09240",
        "05 61 02 74 51",
    )


def test_edit_refuses_a_second_structure_with_the_same_name_and_postcode(staff_client):
    fill(make_structure("AVIE"), postcode="31340")
    other = fill(make_structure("AVIE MONTAUBAN"), postcode="31340")

    response = staff_client.post(
        f"/gestion/annuaire/{other.id}", data=valid_form(name="Avie", postcode="31340")
    )

    assert "Une structure de même nom existe déjà" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Structure, other.id).name == "AVIE MONTAUBAN"


def test_edit_saves_every_field(staff_client):
    structure = make_structure("CASTA")

    response = staff_client.post(
        f"/gestion/annuaire/{structure.id}",
        data=valid_form(
            name="CASTA", membership="partner", kinds=["GES"], phone="+33 5 61 02 74 51"
        ),
    )

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Structure, structure.id)
    assert saved.membership is Membership.PARTNER
    assert saved.kinds == [StructureKind.GES]
    assert saved.phone == "05 61 02 74 51"
    assert saved.postcode == "31000"


def test_unknown_structure_is_a_french_404(staff_client):
    response = staff_client.get("/gestion/annuaire/999")

    assert response.status_code == 404
    assert "Cette structure n'existe pas" in text_of(response)


def picker_names() -> set[str]:
    return {s.name for group in structures_for_picker() for s in group.structures}


def test_deactivate_then_reactivate(staff_client):
    structure = make_structure("CASTA")

    staff_client.post(f"/gestion/annuaire/{structure.id}/desactiver")
    db.session.expire_all()
    assert not db.session.get(Structure, structure.id).active
    assert "CASTA" not in picker_names()
    assert "CASTA" in staff_client.get(LIST, query_string={"statut": "inactives"}).get_data(
        as_text=True
    )

    staff_client.post(f"/gestion/annuaire/{structure.id}/reactiver")
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).active
    assert "CASTA" in picker_names()


def test_deactivation_without_csrf_token_is_refused(app, staff_client):
    structure = make_structure("CASTA")
    app.config["WTF_CSRF_ENABLED"] = True

    response = staff_client.post(f"/gestion/annuaire/{structure.id}/desactiver")

    assert response.status_code == 400
    assert "Formulaire expiré" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).active


def test_export_opens_in_french_excel_and_neutralises_formulas(staff_client):
    fill(
        make_structure('=HYPERLINK("http://evil")', kinds=(StructureKind.AI, StructureKind.ACI)),
        city="ALBI",
        phone="05 63 48 40 17",
        notes="-2 salariés; @équipe",
    )

    response = staff_client.get("/gestion/annuaire/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1
    assert rows[0]["nom"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["types"] == "ACI/AI"
    assert rows[0]["remarque"] == "'-2 salariés; @équipe"
    assert rows[0]["telephone"] == "05 63 48 40 17"


def test_exported_directory_imports_back_unchanged(staff_client):
    fill(make_structure("+ EMPLOI", kinds=(StructureKind.EI,)), postcode="31000", city="TOULOUSE")
    make_structure("CRESS", membership=Membership.PARTNER, kinds=())

    exported = staff_client.get("/gestion/annuaire/export.csv").get_data(as_text=True)
    report = import_structures_from_csv(exported)

    assert [row.outcome for row in report.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
