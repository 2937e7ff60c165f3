"""The error summary on top of a refused form: one link per invalid field, rows
of repeated fields (an event's sessions) included, each leading to its field.

Counting ``form.errors`` would count a list of rows as one error, and its link
would lead to no field at all.
"""

from __future__ import annotations

import dataclasses

from wtforms import FieldList, FormField, HiddenField


@dataclasses.dataclass(frozen=True)
class ErrorLink:
    #: The id of the field to focus.
    target: str
    text: str


def error_links(form) -> list[ErrorLink]:
    """Every invalid field of ``form``, in page order, with its first message.

    A form names the rows of a list in ``row_names`` (« Session » for
    ``sessions``), used as « Session 2, début : … ».
    """
    links: list[ErrorLink] = []
    row_names = getattr(form, "row_names", {})
    for field in form:
        if isinstance(field, FieldList):
            links += _row_links(field, row_names.get(field.name, field.label.text))
        elif field.errors:
            links.append(ErrorLink(field.id, f"{field.label.text} : {_first(field.errors)}"))
    return links


def _row_links(rows: FieldList, row_name: str) -> list[ErrorLink]:
    links = []
    for number, entry in enumerate(rows.entries, start=1):
        subfields = entry.form if isinstance(entry, FormField) else [entry]
        for sub in subfields:
            if sub.errors and not isinstance(sub, HiddenField):
                text = f"{row_name} {number}, {sub.label.text.lower()} : {_first(sub.errors)}"
                links.append(ErrorLink(sub.id, text))
    # A message about the list as a whole (« add at least one session ») leads to its first row.
    for message in (error for error in rows.errors if isinstance(error, str)):
        links.append(ErrorLink(_first_input(rows), f"{rows.label.text} : {message}"))
    return links


def _first_input(rows: FieldList) -> str:
    if not rows.entries:
        return rows.id
    entry = rows.entries[0]
    if not isinstance(entry, FormField):
        return entry.id
    return next(sub.id for sub in entry.form if not isinstance(sub, HiddenField))


def _first(messages) -> str:
    first = messages[0]
    return first if isinstance(first, str) else ", ".join(first)
