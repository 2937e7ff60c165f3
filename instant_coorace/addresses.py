"""How every email address is entered, stored and looked up (people who
register, staff accounts): one form field with the same checks and messages,
and stored stripped and lower-cased, which makes the unique constraints on
them case-insensitive."""

from __future__ import annotations

from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length


def email_field() -> EmailField:
    """« Adresse e-mail », required, checked, at most 254 characters."""
    return EmailField(
        "Adresse e-mail",
        validators=[
            DataRequired("Indiquez l'adresse e-mail."),
            Email("Cette adresse e-mail n'est pas valide (exemple : nom@structure.fr)."),
            Length(max=254, message="L'adresse e-mail est trop longue."),
        ],
    )


def stored_email(address: str) -> str:
    return address.strip().lower()
