"""From uploaded bytes to rows of cells, with a French refusal for what is not
a report we can read."""

from __future__ import annotations

import codecs
import csv
import io
import re

#: The first bytes of files that are not text, and what to call them.
_NOT_TEXT = (
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"RIFF", "une image ou un son"),
    (b"%PDF", "un document PDF"),
    (b"PK\x03\x04", "un classeur Excel (.xlsx) ou une archive"),
    (b"\xd0\xcf\x11\xe0", "un ancien classeur Excel (.xls)"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ImportRefused(Exception):
    """A report that cannot be imported (or not now); ``message`` says why, in French."""

    http_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode(data: bytes) -> str:
    """The text of a report: UTF-16 or UTF-8 (with or without BOM), else Windows-1252."""
    if not data.strip():
        raise ImportRefused("Le fichier est vide.")
    for magic, kind in _NOT_TEXT:
        if data.startswith(magic):
            raise ImportRefused(
                f"Ce fichier est {kind}, pas un rapport de présence : "
                "exportez le rapport en CSV depuis l'outil de visio."
            )
    text = _decoded(data)
    if _CONTROL.search(text):
        raise ImportRefused(
            "Le fichier n'est pas un texte lisible : il n'est ni en UTF-8, ni en UTF-16, "
            "ni en Windows-1252. Exportez-le à nouveau en CSV depuis l'outil de visio."
        )
    return text


def _decoded(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif len(data) > 1 and data[1:2] == b"\x00" and data[0:1] != b"\x00":
        encoding = "utf-16-le"  # UTF-16 that lost its BOM
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise ImportRefused(
                "Le fichier est tronqué ou abîmé : son texte UTF-16 s'arrête au milieu "
                "d'un caractère. Exportez-le à nouveau depuis l'outil de visio."
            ) from None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused(
            "L'encodage du fichier n'est pas reconnu : enregistrez-le en CSV UTF-8 "
            "ou en « CSV (séparateur : point-virgule) » depuis Excel."
        ) from None


def rows(text: str) -> list[list[str]]:
    """The file's lines as cells, their separator guessed: tab (Teams), else the
    more frequent of semicolon (Excel in French) and comma."""
    sample = "\n".join(text.splitlines()[:40])
    if "\t" in sample:
        delimiter = "\t"
    else:
        delimiter = ";" if sample.count(";") >= max(sample.count(","), 1) else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise ImportRefused(f"Le fichier CSV est mal formé : {error}.") from None
