"""``flask privacy …``: personal data, from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from instant_coorace.privacy.retention import anonymise_expired

privacy_cli = AppGroup("privacy", help="Données personnelles (RGPD).")


@privacy_cli.command("anonymise")
def anonymise_command() -> None:
    """Anonymiser les personnes dont le dernier événement a dépassé la durée de
    conservation (le worker le fait aussi, toutes les heures)."""
    outcome = anonymise_expired()
    years = current_app.config["DATA_RETENTION_YEARS"]
    click.echo(
        f"Conservation : {years} an{'s' if years > 1 else ''} après le dernier événement. "
        f"{outcome.people} personne(s) anonymisée(s), {outcome.registrations} inscription(s) "
        f"concernée(s), {outcome.mails} courriel(s) supprimé(s)."
    )
