"""Options of the select fields shared by several forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtforms import SelectChoice

from instant_coorace.labels import DEPARTMENTS


def choices(pairs: Iterable[tuple[object, str]], *, blank: str | None = None) -> list[SelectChoice]:
    """``(value, label)`` pairs as options, after an empty one labelled ``blank`` if given."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(str(value), label) for value, label in pairs]


def labelled(labels: Mapping, *, blank: str | None = None) -> list[SelectChoice]:
    """The options of an enumeration from its French labels (``labels.py``)."""
    return choices(((member.value, label) for member, label in labels.items()), blank=blank)


def departments(*, blank: str | None = None) -> list[SelectChoice]:
    return choices(((code, f"{code} – {name}") for code, name in DEPARTMENTS.items()), blank=blank)
