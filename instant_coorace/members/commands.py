"""``flask members …``: the member directory from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from instant_coorace.members.importer import ImportFileError, ImportReport, Outcome, decode
from instant_coorace.members.services import import_structures_from_csv

members_cli = AppGroup("members", help="Annuaire des structures.")

OUTCOME_WORDS = {
    Outcome.CREATED: ("à créer", "créée"),
    Outcome.UPDATED: ("à mettre à jour", "mise à jour"),
    Outcome.UNCHANGED: ("inchangée", "inchangée"),
    Outcome.SKIPPED: ("ignorée", "ignorée"),
}
TOTAL_WORDS = {
    Outcome.CREATED: ("à créer", "créées"),
    Outcome.UPDATED: ("à mettre à jour", "mises à jour"),
    Outcome.UNCHANGED: ("inchangées", "inchangées"),
    Outcome.SKIPPED: ("ignorées", "ignorées"),
}


@members_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Affiche le rapport sans rien enregistrer.")
def import_command(file: Path, dry_run: bool) -> None:
    """Importe un fichier CSV de structures (nom;types;departement;…)."""
    try:
        report = import_structures_from_csv(decode(file.read_bytes()), dry_run=dry_run)
    except ImportFileError as error:
        raise click.ClickException(error.message) from error
    click.echo(format_report(report))


def format_report(report: ImportReport) -> str:
    """The import report as plain text, one line per row of the file."""
    tense = 1 if report.applied else 0
    lines = ["Import effectué." if report.applied else "Simulation : rien n'a été enregistré."]
    if report.ignored_columns:
        lines.append(f"Colonnes ignorées : {', '.join(report.ignored_columns)}")
    for row in report.rows:
        lines.append(f"ligne {row.line} · {row.name or '—'} : {OUTCOME_WORDS[row.outcome][tense]}")
        lines.extend(f"    {detail}" for detail in row.details)
        lines.extend(f"    attention : {warning}" for warning in row.warnings)
    totals = " · ".join(
        f"{TOTAL_WORDS[outcome][tense]} : {count}" for outcome, count in report.counts.items()
    )
    lines.append(f"Total — {totals} · avertissements : {report.warning_count}")
    return "\n".join(lines)
