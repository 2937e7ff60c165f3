"""Importing the directory from the back office: upload, preview, confirm."""

from __future__ import annotations

import html
import io
from pathlib import Path

from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.members.models import Structure

SEED = Path(__file__).parent / "data" / "adherents-2026.csv"
IMPORT = "/gestion/annuaire/import"
CONFIRM = "/gestion/annuaire/import/confirmer"


def upload(client, content: bytes, filename: str = "adherents.csv"):
    return client.post(
        IMPORT,
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def structure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Structure))


def staged_token(page: str) -> str:
    return page.split('name="token" value="', 1)[1].split('"', 1)[0]


def test_upload_previews_line_by_line_without_writing(admin_client):
    response = upload(admin_client, SEED.read_bytes())

    page = text_of(response)
    assert response.status_code == 200
    assert "Rien n'a encore été enregistré" in page
    assert "doublon de la ligne 16" in page
    assert "code postal « 8200 » invalide (5 chiffres attendus), laissé vide" in page
    assert "Confirmer l'import" in page
    assert structure_count() == 0


def test_confirming_applies_the_previewed_file_once(admin_client, app):
    token = staged_token(text_of(upload(admin_client, SEED.read_bytes())))

    response = admin_client.post(CONFIRM, data={"token": token})

    page = text_of(response)
    assert response.status_code == 200
    assert "Import terminé" in page
    assert "<strong>48</strong> Créées" in page
    assert structure_count() == 48
    assert not (Path(app.instance_path) / "imports" / f"{token}.csv").exists()

    again = admin_client.post(CONFIRM, data={"token": token}, follow_redirects=True)
    assert "plus disponible" in text_of(again)
    assert structure_count() == 48


def test_confirmation_only_accepts_a_token_the_server_issued(admin_client):
    for token in ("../../secret_key", "0" * 32, ""):
        response = admin_client.post(CONFIRM, data={"token": token}, follow_redirects=True)
        assert response.status_code in (200, 400)
    assert structure_count() == 0


def test_file_missing_a_column_shows_the_error_and_writes_nothing(admin_client):
    response = upload(admin_client, b"nom;ville\nCASTA;ALZEN\n")

    page = text_of(response)
    assert response.status_code == 422
    assert "Colonnes obligatoires manquantes : types, departement, code_postal" in page
    assert "Le formulaire contient 1 erreur" in page
    assert structure_count() == 0


def test_windows_1252_upload_is_previewed(admin_client):
    content = (
        "nom;types;département;adresse;code_postal;ville;téléphone;email;remarque\r\n"
        "CAPDIFE;ACI;34;Rue Pascal;34800;CLERMONT-L'HÉRAULT;04 67 02 02 56;;\r\n"
    ).encode("cp1252")

    page = text_of(upload(admin_client, content))

    assert "CAPDIFE" in page
    assert "Sera créée" in page


def test_only_csv_files_are_accepted(admin_client):
    response = upload(admin_client, b"%PDF-1.4", filename="annuaire.pdf")
    page = text_of(response)

    assert response.status_code == 422
    assert "Le fichier doit être au format CSV" in page
    assert structure_count() == 0


def test_oversized_file_is_refused(admin_client):
    page = text_of(upload(admin_client, SEED.read_bytes() * 400))

    assert "taille autorisée" in page
    assert structure_count() == 0
