"""The editable list of support themes (« fonds européens », « RSE »…)."""

from __future__ import annotations

from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.support.models import SupportTheme
from instant_coorace.transactions import write_transaction

#: The list a new installation starts with (migration 0016 and the demo).
DEFAULT_THEMES = (
    "Fonds européens",
    "RSE",
    "Marchés publics",
    "Modèle économique",
    "Ressources humaines",
    "Gouvernance et vie associative",
)


class ThemeError(Exception):
    message = "Cette thématique n'existe pas."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class ThemeNotFound(ThemeError):
    pass


class DuplicateTheme(ThemeError):
    message = "Cette thématique est déjà dans la liste."


def all_themes() -> list[SupportTheme]:
    """Active themes first, each group by name."""
    return list(
        db.session.scalars(
            select(SupportTheme).order_by(SupportTheme.active.desc(), SupportTheme.name)
        )
    )


def offered_themes(current_id: int | None = None) -> list[tuple[int, str]]:
    """The active themes (and the one a support already has), for a select."""
    rows = db.session.execute(
        select(SupportTheme.id, SupportTheme.name)
        .where(SupportTheme.active.is_(True) | (SupportTheme.id == current_id))
        .order_by(SupportTheme.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def add_theme(name: str) -> SupportTheme:
    with write_transaction():
        _refuse_duplicate(name, theme_id=None)
        theme = SupportTheme(name=name, active=True)
        db.session.add(theme)
    return theme


def rename_theme(theme_id: int, name: str) -> SupportTheme:
    with write_transaction():
        theme = _get(theme_id)
        _refuse_duplicate(name, theme_id=theme_id)
        theme.name = name
    return theme


def set_theme_active(theme_id: int, active: bool) -> SupportTheme:
    """A deactivated theme is no longer offered for new supports; the supports
    that have it keep it."""
    with write_transaction():
        theme = _get(theme_id)
        theme.active = active
    return theme


def _get(theme_id: int) -> SupportTheme:
    theme = db.session.get(SupportTheme, theme_id)
    if theme is None:
        raise ThemeNotFound()
    return theme


def _refuse_duplicate(name: str, theme_id: int | None) -> None:
    query = select(SupportTheme.id).where(func.lower(SupportTheme.name) == name.lower())
    if theme_id is not None:
        query = query.where(SupportTheme.id != theme_id)
    if db.session.scalar(query) is not None:
        raise DuplicateTheme(f"La thématique « {name} » est déjà dans la liste.")
