"""Any bytes uploaded as a directory give a French answer, never a 500, and a
large file never gives a huge page."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instant_coorace.members.importer import (
    MAX_IMPORT_ROWS,
    ImportFileError,
    decode,
    parse_directory,
)
from tests.test_directory_import_pages import structure_count, text_of, upload

HEADER = "nom;types;departement;adresse;code_postal;ville;telephone;email;remarque\r\n"
ROW = "CAPDIFE;ACI;34;Rue Pascal;34800;CLERMONT-L'HÉRAULT;04 67 02 02 56;;\r\n"

UNREADABLE = {
    "UTF-16 BOM, truncated": b"\xff\xfe" + (HEADER + ROW).encode("utf-16-le")[:-1],
    "UTF-16 BE BOM, truncated": b"\xfe\xff" + (HEADER + ROW).encode("utf-16-be")[:-3],
    "UTF-16 BOM, lone surrogate": b"\xff\xfe" + HEADER.encode("utf-16-le") + b"\x00\xd8A\x00",
    "UTF-16 BOM, random": b"\xff\xfe" + random.Random(1).randbytes(2001),
    "random bytes": random.Random(2).randbytes(4000),
    "NUL bytes": HEADER.encode() + b"CAP\x00DIFE;ACI;34;;34800;X;;;\n",
    "binary header": b"\x00\x01\x02\x03",
    "huge cell": HEADER.encode() + b'"' + b"x" * 200_000 + b'"\n',
}


@pytest.mark.parametrize("content", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_files_get_a_french_message_and_a_4xx(admin_client, content):
    response = upload(admin_client, content)
    page = text_of(response)
    assert response.status_code == 422
    assert "Le formulaire contient 1 erreur" in page
    assert "fichier" in page.lower()
    assert structure_count() == 0


@pytest.mark.parametrize(
    "encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                      ("utf-16-be", b"\xfe\xff"), ("cp1252", b"")],
)  # fmt: skip
def test_every_usual_encoding_reads_the_same(encoding, bom):
    assert decode(bom + (HEADER + ROW).encode(encoding)) == HEADER + ROW


def test_utf8_with_one_damaged_byte_names_the_line_instead_of_garbling_every_accent(
    admin_client,
):
    damaged = (HEADER + ROW).encode() + b"ESAT;ACI;31;;31000;TOULOUSE;;;caf\xe9\r\n" + ROW.encode()
    with pytest.raises(ImportFileError, match="la ligne 3 contient un caractère abîmé"):
        decode(damaged)

    response = upload(admin_client, damaged)
    assert response.status_code == 422
    assert "la ligne 3 contient un caractère abîmé" in text_of(response)
    assert structure_count() == 0


def test_a_windows_1252_file_with_accents_still_reads():
    assert "CLERMONT-L'HÉRAULT" in decode((HEADER + ROW).encode("cp1252"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.binary(max_size=400).map(lambda data: b"\xff\xfe" + data))
def test_any_bytes_are_either_read_or_refused_in_french(data):
    try:
        parse_directory(decode(data))
    except ImportFileError as error:
        assert error.message and error.http_status in (413, 422)


def test_a_hundred_thousand_duplicate_rows_are_refused_in_a_short_page(admin_client):
    content = ("nom;types;departement;code_postal;ville\n" + "A;;;1;\n" * 100_000).encode()
    assert len(content) < 1024 * 1024
    response = upload(admin_client, content)
    page = text_of(response)
    assert response.status_code == 413
    assert f"{MAX_IMPORT_ROWS:,}".replace(",", "\u202f") in page
    assert len(response.data) < 50_000
    assert structure_count() == 0


def test_too_large_a_file_is_refused_with_413(admin_client):
    response = upload(admin_client, (HEADER + ROW * 20_000).encode())
    assert response.status_code == 413
    assert "taille autorisée" in text_of(response)


def test_a_preview_of_many_duplicates_shows_counts_and_a_few_lines(admin_client):
    duplicates = MAX_IMPORT_ROWS - 1
    content = (HEADER + ROW * (duplicates + 1)).encode()
    response = upload(admin_client, content)
    page = text_of(response)
    assert response.status_code == 200
    assert f"{MAX_IMPORT_ROWS:,} lignes lues".replace(",", "\u202f") in page
    assert "1 valide" in page
    assert f"{duplicates:,} en double".replace(",", "\u202f") in page
    hidden = duplicates - 50
    assert f"… et {hidden:,} autres lignes en double".replace(",", "\u202f") in page
    assert page.count("doublon de la ligne 2") == 50
    assert len(response.data) < 200_000
