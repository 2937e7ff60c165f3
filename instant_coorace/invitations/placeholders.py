"""The placeholders a campaign's subject and body may hold, checked before
anything is queued and filled for each recipient when the mail is rendered."""

from __future__ import annotations

import re
import string

PLACEHOLDERS = {
    "prenom": "le prénom",
    "nom": "le nom",
    "structure": "la structure",
    "evenement": "le titre de l'événement",
    "date": "la date",
    "lieu": "le lieu",
    "lien_inscription": "le lien personnel d'inscription",
}
LINK = "lien_inscription"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


class PlaceholderError(ValueError):
    """A French message for the team, shown next to the field."""


def check(text: str, *, allow_link: bool = True) -> None:
    """Raise ``PlaceholderError`` for an unknown placeholder or a brace left open."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise PlaceholderError(
            "Une accolade n'est pas refermée : écrivez les champs ainsi, {prenom}, "
            "et doublez une accolade voulue ({{ ou }})."
        ) from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise PlaceholderError(
                f"Champ inconnu : {{{name}}}. Champs possibles : "
                + ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)
                + "."
            )
        if name == LINK and not allow_link:
            raise PlaceholderError(
                "Le lien d'inscription ne peut pas figurer dans l'objet : il est dans le message."
            )


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` (already checked) with each placeholder replaced."""
    return text.format_map(values)


def markdown_literal(value: str) -> str:
    """``value`` as Markdown text that shows it as typed (a name with a star)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
