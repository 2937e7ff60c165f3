"""Demo supports of the offre modulaire: a few in 2025 and in the current
year (2026), one member having used its whole allowance, recorded through the
same service as the team's form."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.members.models import Membership, Structure
from instant_coorace.support import services, themes
from instant_coorace.support.models import SupportTheme

#: (day, rank of the structure among the chosen members, half-days or hours, theme, note)
SUPPORTS = (
    (dt.date(2025, 2, 11), 0, 2, None, "Fonds européens", "Montage du dossier FSE+ 2025."),
    (dt.date(2025, 3, 18), 1, 1, None, "RSE", "Premier diagnostic RSE avec la direction."),
    (dt.date(2025, 5, 6), 2, None, 2, "Marchés publics", "Lecture d'un appel d'offres."),
    (dt.date(2025, 6, 24), 3, 2, None, "Modèle économique", "Budget prévisionnel 2026."),
    (dt.date(2025, 9, 16), 0, 2, None, "Ressources humaines", "Entretiens professionnels."),
    (dt.date(2025, 10, 7), 4, 1, None, "Fonds européens", "Bilan d'exécution FSE+."),
    (dt.date(2025, 11, 25), 5, None, 3, "RSE", "Préparation du collectif CAP RSE."),
    (dt.date(2026, 1, 20), 0, 2, None, "Modèle économique", "Nouvelle activité de réemploi."),
    (dt.date(2026, 3, 10), 0, 2, None, "Fonds européens", "Dossier FSE+ 2026."),
    (dt.date(2026, 4, 14), 6, 1, None, "Marchés publics", "Clauses sociales d'un marché."),
    (dt.date(2026, 6, 2), 2, None, 1.5, "Ressources humaines", "Fiche de poste d'encadrant."),
    (dt.date(2026, 9, 29), 7, 2, None, "Gouvernance et vie associative", "Projet associatif."),
)


def load_demo_supports(today: dt.date, seed: int) -> int:
    """Record the demo supports given up to ``today``; returns how many."""
    rng = random.Random(seed)
    members = list(
        db.session.scalars(
            select(Structure.id).where(
                Structure.active.is_(True), Structure.membership == Membership.MEMBER
            )
        )
    )
    chosen = rng.sample(sorted(members), min(8, len(members)))
    theme_ids = _theme_ids()
    recorded = 0
    for day, rank, half_days, hours, theme, note in SUPPORTS:
        if day > today or rank >= len(chosen):
            continue
        minutes = round(half_days * 210) if half_days else round(hours * 60)
        services.record_support(
            services.SupportFields(
                structure_id=chosen[rank],
                given_on=day,
                minutes=minutes,
                theme_id=theme_ids[theme],
                staff_user_id=None,
                note=note,
            )
        )
        recorded += 1
    return recorded


def _theme_ids() -> dict[str, int]:
    """The themes by name, the default list added first on a database that has none
    (one made without the migrations, which bring it)."""
    if db.session.scalar(select(SupportTheme.id).limit(1)) is None:
        for name in themes.DEFAULT_THEMES:
            themes.add_theme(name)
    rows = db.session.execute(select(SupportTheme.name, SupportTheme.id))
    return {name: theme_id for name, theme_id in rows}
