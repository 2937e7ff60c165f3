"""Test data of the offre modulaire, written straight to the database."""

from __future__ import annotations

import datetime as dt

from instant_coorace.extensions import db
from instant_coorace.support.models import Support, SupportTheme


def make_theme(name: str = "Fonds européens", *, active: bool = True) -> SupportTheme:
    theme = SupportTheme(name=name, active=active)
    db.session.add(theme)
    db.session.commit()
    return theme


def make_support(structure, theme, given_on: dt.date, minutes: int = 210, **fields) -> Support:
    support = Support(
        structure_id=structure.id, theme_id=theme.id, given_on=given_on, minutes=minutes, **fields
    )
    db.session.add(support)
    db.session.commit()
    return support
