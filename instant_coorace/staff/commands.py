"""`flask staff …`: accounts of the team, from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from instant_coorace.addresses import stored_email
from instant_coorace.staff import services
from instant_coorace.staff.models import StaffRole

staff_cli = AppGroup("staff", help="Comptes de l'équipe.")


def _show_password(email: str, password: str) -> None:
    click.echo(f"Mot de passe à usage unique pour {email} (affiché une seule fois) :")
    click.echo(f"  {password}")
    click.echo("Transmettez-le par un canal sûr.")


@staff_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    default=StaffRole.TEAM.value,
    show_default=True,
    help="admin : tout, y compris les comptes ; team : événements, inscriptions, annuaire.",
)
def create_command(email: str, role: str) -> None:
    """Créer un compte actif et afficher son mot de passe à usage unique."""
    try:
        password = services.create_staff_user(email, StaffRole(role))
    except services.StaffAccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Compte créé : {stored_email(email)} ({role}).")
    _show_password(stored_email(email), password)


@staff_cli.command("reset-password")
@click.argument("email")
def reset_password_command(email: str) -> None:
    """Remplacer le mot de passe d'un compte et afficher le nouveau."""
    try:
        password = services.reset_password(email)
    except services.StaffAccountError as error:
        raise click.ClickException(error.message) from error
    _show_password(stored_email(email), password)
