"""The rules of a structure's fields, shared by the edit form and the CSV import,
so that a phone number or a postcode means the same thing on both paths."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

POSTCODE = re.compile(r"\d{5}")
DEPARTMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d")
_PHONE_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidValue(ValueError):
    """A value that cannot be stored. ``message`` is the French sentence a form
    shows next to the field; ``expected`` the short hint an import report quotes."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def collapse_spaces(value: str) -> str:
    return " ".join(value.split())


def normalise_phone(value: str) -> str:
    """A French number written « 05 61 02 98 97 »; empty stays empty.

    Accepts spaces, dots, dashes and the international prefix (+33, 0033,
    +33 (0)); refuses anything else rather than dropping characters.
    """
    digits = _PHONE_SEPARATORS.sub("", value).replace("(0)", "")
    if not digits:
        return ""
    for prefix in ("+33", "0033"):
        if digits.startswith(prefix):
            digits = "0" + digits.removeprefix(prefix)
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        raise InvalidValue(
            "Numéro de téléphone invalide : 10 chiffres, par exemple 05 61 02 98 97.",
            expected="10 chiffres attendus",
        )
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def normalise_postcode(value: str) -> str:
    postcode = value.replace(" ", "").strip()
    if postcode and not POSTCODE.fullmatch(postcode):
        raise InvalidValue(
            "Code postal invalide : 5 chiffres, par exemple 31000.",
            expected="5 chiffres attendus",
        )
    return postcode


def normalise_email(value: str) -> str:
    email = value.strip()
    if not email:
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidValue("Adresse email invalide, par exemple contact@structure.fr.") from error


def department_of_postcode(postcode: str) -> str:
    """The department a (valid) postcode belongs to: « 31250 » → « 31 »."""
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    if postcode.startswith("97"):
        return postcode[:3]
    return postcode[:2]


def identity_name(name: str) -> str:
    """The name as the directory compares it: no case, accents, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return collapse_spaces(re.sub(r"[^\w]+|_", " ", letters.casefold()))


def identity_key(name: str, postcode: str) -> tuple[str, str]:
    """Two rows describe the same structure when name and postcode match."""
    return identity_name(name), postcode
