"""``flask attendance import EVENT_SLUG FILE``: an attendance report from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from instant_coorace.attendance.imports import service
from instant_coorace.attendance.imports.reading import ImportRefused

attendance_cli = AppGroup("attendance", help="Présences aux événements.")


@attendance_cli.command("import")
@click.argument("event_slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--session",
    "session_number",
    type=click.IntRange(min=1),
    default=None,
    help="Numéro de la session (1 pour la première) ; sinon d'après les heures.",
)
@click.option("--dry-run", is_flag=True, help="Affiche le rapport sans rien enregistrer.")
def import_command(event_slug: str, file: Path, session_number: int | None, dry_run: bool) -> None:
    """Importe un rapport de présence Zoom, Teams ou Google Meet dans un événement."""
    limit = current_app.config["ATTENDANCE_MAX_UPLOAD_MB"]
    if file.stat().st_size > limit * 1024 * 1024:
        raise click.ClickException(f"Le fichier dépasse la taille autorisée ({limit:g} Mo).")
    try:
        event_id = service.event_by_slug(event_slug)
        data = file.read_bytes()
        if dry_run:
            report = service.preview(event_id, data, session_number)
        else:
            report = service.import_report(event_id, data, session_number, filename=file.name)
    except ImportRefused as error:
        raise click.ClickException(error.message) from error
    click.echo("Import effectué." if report.applied else "Simulation : rien n'a été enregistré.")
    click.echo("\n".join(report.lines()))
