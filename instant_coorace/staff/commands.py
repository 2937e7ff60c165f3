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
    click.echo(
        "Transmettez-le par un canal sûr : à la première connexion, "
        "la personne choisira son propre mot de passe."
    )


@staff_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    default=None,
    help=(
        "admin : tout, y compris les comptes ; team : événements, inscriptions, annuaire. "
        "Par défaut : admin pour le premier compte, team ensuite."
    ),
)
def create_command(email: str, role: str | None) -> None:
    """Créer un compte actif et afficher son mot de passe à usage unique."""
    try:
        account, password = services.create_staff_user(email, StaffRole(role) if role else None)
    except services.StaffAccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Compte créé : {account.email} ({account.role.value}).")
    _show_password(account.email, password)


@staff_cli.command("reset-password")
@click.argument("email")
def reset_password_command(email: str) -> None:
    """Remplacer le mot de passe d'un compte et afficher le nouveau."""
    try:
        password = services.reset_password(email)
    except services.StaffAccountError as error:
        raise click.ClickException(error.message) from error
    _show_password(stored_email(email), password)
