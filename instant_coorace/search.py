"""Searching text as a French reader expects: « beziers » finds « BÉZIERS ».

Both sides of a comparison are folded the same way: lower case, no accents on
Latin letters, « œ » and « æ » spelled out. The stored text is folded by the SQL
function ``ic_fold()``: on PostgreSQL a function of our schema (no extension
needed), on SQLite this module's ``fold``, registered on every connection
(``database.py``); the words searched for are folded by ``fold`` too, so the
three agree whatever the database's locale (upper-case letters are listed, in
case its ``lower()`` leaves them alone).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import DDL, ColumnElement, func, or_

_LETTERS = "àáâãäåāçćčèéêëēęěğìíîïīñńòóôõöōøśşšùúûüūůýÿźżžřľłďť"
_BASE = {"ø": "o", "ł": "l"}  # letters that Unicode does not decompose
ACCENTED = _LETTERS + _LETTERS.upper()
PLAIN = 2 * "".join(
    _BASE.get(letter) or unicodedata.normalize("NFKD", letter)[0] for letter in _LETTERS
)
LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}
_FOLDING = str.maketrans(ACCENTED, PLAIN) | str.maketrans(LIGATURES)


def _postgresql_body() -> str:
    expression = f"translate(lower(value), '{ACCENTED}', '{PLAIN}')"
    for ligature, spelled in LIGATURES.items():
        expression = f"replace({expression}, '{ligature}', '{spelled}')"
    return expression


#: ``ic_fold`` for PostgreSQL; created with the schema and by migration 0006.
#: Changing it needs a new migration that replaces the function.
POSTGRESQL_FUNCTION = DDL(
    "CREATE OR REPLACE FUNCTION ic_fold(value text) RETURNS text"
    f" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {_postgresql_body()} $$"
)


def fold(text: str | None) -> str | None:
    """``text`` as searches compare it (``None`` stays ``None``, as in SQL)."""
    if text is None:
        return None
    return text.lower().translate(_FOLDING)


def matches_word(word: str, *columns: ColumnElement) -> ColumnElement[bool]:
    """One of ``columns`` contains ``word``, ignoring case and accents."""
    folded = fold(word)
    return or_(*(func.ic_fold(column).contains(folded, autoescape=True) for column in columns))
