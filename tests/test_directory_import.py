"""Importing the member directory from CSV: the real 2026 export, defects
included, and the encodings and separators French offices produce."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.members.importer import ImportFileError, Outcome, decode
from instant_coorace.members.models import Structure, StructureKind
from instant_coorace.members.services import import_structures_from_csv
from tests.builders import make_structure

SEED = Path(__file__).parent / "data" / "adherents-2026.csv"
HEADER = "nom;types;departement;adresse;code_postal;ville;telephone;email;remarque\n"


def seed_text() -> str:
    return decode(SEED.read_bytes())


def structures_named(name: str) -> list[Structure]:
    return list(
        db.session.scalars(select(Structure).where(Structure.name == name).order_by(Structure.id))
    )


def structure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Structure))


def test_seed_file_creates_every_structure_but_the_duplicate(app):
    report = import_structures_from_csv(seed_text())

    assert report.applied
    assert report.counts == {
        Outcome.CREATED: 48,
        Outcome.UPDATED: 0,
        Outcome.UNCHANGED: 0,
        Outcome.SKIPPED: 1,
    }
    assert structure_count() == 48
    assert [row.line for row in report.rows] == list(range(2, 51))


def test_structure_listed_twice_is_skipped_as_duplicate_of_its_first_line(app):
    report = import_structures_from_csv(seed_text())

    second_ailes = report.line(44)
    assert second_ailes.outcome is Outcome.SKIPPED
    assert "doublon de la ligne 16" in second_ailes.details[0]
    assert "accueil@association-ailles-fr.example.org" in second_ailes.details[1]
    assert any("incohérent avec le code postal « 31250 »" in w for w in second_ailes.warnings)
    [ailes] = structures_named("AILES")
    assert ailes.email == "accueil@association-ailes-fr.example.org"
    assert ailes.department == "31"


def test_same_name_in_two_postcodes_makes_two_establishments_sharing_an_email(app):
    report = import_structures_from_csv(seed_text())

    assert report.line(19).outcome is Outcome.CREATED
    assert report.line(49).outcome is Outcome.CREATED
    assert any("même email que la ligne 19" in w for w in report.line(49).warnings)
    assert [(s.postcode, s.department) for s in structures_named("AVIE")] == [
        ("31340", "31"),
        ("82000", "82"),
    ]


def test_four_digit_postcode_is_left_empty_not_guessed(app):
    report = import_structures_from_csv(seed_text())

    assert report.line(48).outcome is Outcome.CREATED
    assert report.line(48).warnings == (
        "code postal « 8200 » invalide (5 chiffres attendus), laissé vide",
    )
    [bulles] = structures_named("AU PRE EN BULLES")
    assert (bulles.postcode, bulles.city, bulles.department) == ("", "MONTAUBAN", "82")


def test_missing_type_imports_the_structure_without_kind(app):
    report = import_structures_from_csv(seed_text())

    assert report.line(41).outcome is Outcome.CREATED
    assert any("type manquant" in w for w in report.line(41).warnings)
    assert structures_named("ENTRAIDE SERVICES")[0].kinds == []


def test_phone_with_a_stray_letter_is_left_empty_and_quoted(app):
    report = import_structures_from_csv(seed_text())

    assert any("« 05 65 50 05 62 a »" in w for w in report.line(36).warnings)
    assert structures_named("REGAIN")[0].phone == ""


def test_phones_kinds_and_quoted_remarks_are_read_as_written(app):
    import_structures_from_csv(seed_text())

    assert structures_named("GERMEN")[0].phone == "07 66 61 29 99"
    assert structures_named("ARIEGE PROFESSION ANIMATION")[0].phone == "05 61 02 98 97"
    assert set(structures_named("IRISSE")[0].kinds) == {
        StructureKind.AI,
        StructureKind.ACI,
        StructureKind.GES,
    }
    lozere = structures_named("EMPLOI SOLIDARITE LOZERE")[0]
    assert lozere.notes == "ALOES-AI; ALOES SAP-EI"
    assert lozere.postcode == "48000"


def test_reimporting_the_same_file_changes_nothing(app):
    import_structures_from_csv(seed_text())

    report = import_structures_from_csv(seed_text())

    assert report.count(Outcome.UNCHANGED) == 48
    assert report.count(Outcome.CREATED) == report.count(Outcome.UPDATED) == 0
    assert [row.line for row in report.rows if row.outcome is Outcome.SKIPPED] == [44]
    assert structure_count() == 48


def test_dry_run_reports_without_writing(app):
    report = import_structures_from_csv(seed_text(), dry_run=True)

    assert not report.applied
    assert report.count(Outcome.CREATED) == 48
    assert structure_count() == 0


def test_identity_ignores_case_accents_spacing_and_punctuation(app):
    import_structures_from_csv(HEADER + "Régie  de Quartier;ACI;31;;31000;TOULOUSE;;;\n")

    report = import_structures_from_csv(
        HEADER + "REGIE DE QUARTIER.;ACI;31;;31000;TOULOUSE;05 61 00 00 00;;\n"
    )

    assert report.rows[0].outcome is Outcome.UPDATED
    assert "téléphone" in report.rows[0].details[-1]
    assert structure_count() == 1


def test_empty_or_invalid_cells_never_erase_directory_values(app):
    import_structures_from_csv(
        HEADER + "CASTA;ACI;09;Vidalac;09240;ALZEN;05 61 02 74 51;casta@example.org;\n"
    )

    report = import_structures_from_csv(
        HEADER + "CASTA;;09;;09240;ALZEN;05 61 02 74 5x;pas-un-email;\n"
    )

    assert report.rows[0].outcome is Outcome.UNCHANGED
    assert len(report.rows[0].warnings) == 3
    [casta] = structures_named("CASTA")
    assert (casta.address, casta.phone, casta.email) == (
        "Vidalac",
        "05 61 02 74 51",
        "casta@example.org",
    )
    assert casta.kinds == [StructureKind.ACI]


def test_unknown_type_is_ignored_with_a_warning(app):
    report = import_structures_from_csv(HEADER + "JARDINS;ACI/SCOP;31;;31000;TOULOUSE;;;\n")

    assert any("« SCOP » inconnu" in w for w in report.rows[0].warnings)
    assert structures_named("JARDINS")[0].kinds == [StructureKind.ACI]


def test_row_without_name_is_skipped(app):
    report = import_structures_from_csv(HEADER + ";ACI;31;;31000;TOULOUSE;;;\n")

    assert report.rows[0].outcome is Outcome.SKIPPED
    assert report.rows[0].details == ("nom manquant",)
    assert structure_count() == 0


def test_windows_1252_file_with_commas_imports(app):
    content = (
        "Nom,Types,Département,Adresse,Code postal,Ville,Téléphone,E-mail,Remarque\r\n"
        'CAPDIFE,ACI,34,"3-5 Rue Pascal",34800,CLERMONT-L\'HÉRAULT,04.67.02.02.56,,'
        '"Clermont, Hérault"\r\n'
    ).encode("cp1252")

    report = import_structures_from_csv(decode(content))

    assert report.count(Outcome.CREATED) == 1
    [capdife] = structures_named("CAPDIFE")
    assert capdife.city == "CLERMONT-L'HÉRAULT"
    assert capdife.phone == "04 67 02 02 56"
    assert capdife.notes == "Clermont, Hérault"


def test_utf8_file_with_byte_order_mark_imports(app):
    report = import_structures_from_csv(decode(b"\xef\xbb\xbf" + SEED.read_bytes()))

    assert report.count(Outcome.CREATED) == 48


def test_missing_required_column_rejects_the_whole_file(app):
    make_structure("DÉJÀ LÀ")
    text = "nom;types;departement;adresse;ville\nCASTA;ACI;09;Vidalac;ALZEN\n"

    with pytest.raises(ImportFileError) as error:
        import_structures_from_csv(text)

    assert "code_postal" in error.value.message
    assert structure_count() == 1


def test_cli_import_prints_the_report(runner, app):
    dry = runner.invoke(args=["members", "import", str(SEED), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "rien n'a été enregistré" in dry.output
    assert structure_count() == 0

    result = runner.invoke(args=["members", "import", str(SEED)])

    assert result.exit_code == 0, result.output
    assert "ligne 44 · AILES : ignorée" in result.output
    assert "code postal « 8200 » invalide" in result.output
    assert "créées : 48" in result.output
    assert structure_count() == 48


def test_cli_refuses_an_unusable_file(runner, app, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_text("colonne;autre\n1;2\n")

    result = runner.invoke(args=["members", "import", str(path)])

    assert result.exit_code != 0
    assert "Colonnes obligatoires manquantes" in result.output
