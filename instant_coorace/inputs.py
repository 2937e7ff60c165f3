"""What the application accepts from outside, whatever the page: the rule for
text, whole numbers and dates, and its guard on addresses.

Text may hold any character a person types, but not the invisible control
characters that only tampering or a bad copy-paste produce (PostgreSQL even
refuses NUL outright). A line break means a new line only where the text may
have several; elsewhere it is a space. Numbers stay within the ``integer``
columns that store them and dates within years the federation plans for.
Forms get the rule field by field from ``instant_coorace.forms``; query strings
and paths get it here, before any view runs.
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from instant_coorace.errors import render_error

#: The range of PostgreSQL's ``integer``, the type of every id and count column.
MIN_INTEGER = -(2**31)
MAX_INTEGER = 2**31 - 1
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

INVISIBLE_CHARACTER = (
    "Ce texte contient un caractère invisible non autorisé : "
    "retapez-le, ou collez-le sans mise en forme."
)

#: What ``str.splitlines`` takes for the end of a line, ``\r\n`` first.
_LINE_BREAK = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_LINE_BREAKS_AND_TABS = re.compile(f"(?:{_LINE_BREAK}|\t)+")
LINE_BREAK_IN_TEXT = re.compile(_LINE_BREAK)
#: C0 and C1 control characters, and the surrogates no encoding can carry alone.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_TAB_AND_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def single_line(value: object) -> object:
    """A one-line text as stored: line breaks and tabs become one space, and
    the ends are trimmed. Anything but text is left alone."""
    if not isinstance(value, str):
        return value
    return _LINE_BREAKS_AND_TABS.sub(" ", value).strip()


def multi_line(value: object) -> object:
    """A text of several lines as stored: every line ends in ``\\n``."""
    if not isinstance(value, str):
        return value
    return LINE_BREAK_IN_TEXT.sub("\n", value)


def has_control_character(value: str, *, multi_line: bool = False) -> bool:
    """Whether ``value`` holds a character the rule refuses; a text of several
    lines may hold its newlines and tabs."""
    pattern = _CONTROL_BUT_TAB_AND_NEWLINE if multi_line else CONTROL
    return pattern.search(value) is not None


def database_id(text: str) -> int | None:
    """``text`` as the id of a row (digits only, within the column), else ``None``."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_INTEGER)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_INTEGER else None


class ColumnIntegerConverter(IntegerConverter):
    """Werkzeug's ``int`` URL converter, matching only ASCII digits (``\\d``
    takes any script's) and no number the id columns cannot hold:
    ``/gestion/annuaire/99999999999`` is a 404, not a database error."""

    regex = "[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INTEGER, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_input_rules(app: Flask) -> None:
    """Bound every ``<int:…>`` of the routes and guard every address. Must run
    before the blueprints add their routes, which take the converter then."""
    app.url_map.converters["int"] = ColumnIntegerConverter
    app.before_request(_refuse_control_characters_in_address)


def _refuse_control_characters_in_address():
    """No page has a control character in its path (404), and no query string
    needs one (a 400 that says so): searches never send them to the database."""
    if has_control_character(request.path):
        return render_error(404)
    for name, value in request.args.items(multi=True):
        if has_control_character(name) or has_control_character(value):
            return render_error(400, "Adresse invalide", INVISIBLE_CHARACTER)
    return None
