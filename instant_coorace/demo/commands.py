"""``flask demo``: the demonstration data, loaded by ``make run`` on an empty database."""

from __future__ import annotations

import click

from instant_coorace.staff.models import StaffRole

DEMO_STAFF_EMAIL = "equipe@example.org"


@click.command("demo")
@click.option(
    "--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des données."
)
def demo_command(if_empty: bool) -> None:
    """Charge l'annuaire, les événements 2025 et un programme à venir."""
    # Imported here: the loader pulls in every domain's services, which the
    # other commands and the web app never need at start-up.
    from instant_coorace.demo.loader import database_is_empty, load_demo
    from instant_coorace.staff import services as staff_services

    if not database_is_empty():
        if if_empty:
            click.echo("La base contient déjà des données : démonstration non chargée.")
            return
        raise click.ClickException(
            "La base n'est pas vide : la démonstration s'ajoute à une base vide."
        )
    summary = load_demo()
    _, password = staff_services.create_staff_user(DEMO_STAFF_EMAIL, StaffRole.ADMIN)
    click.echo(
        f"Démonstration chargée : {summary.structures} structures, "
        f"{summary.past_events} événements 2025, {summary.upcoming_events} à venir, "
        f"{summary.registrations} inscriptions."
    )
    click.echo(
        f"Espace de gestion : /gestion/ — identifiant {DEMO_STAFF_EMAIL}, "
        f"mot de passe à usage unique {password} (vous choisirez le vôtre à la connexion)."
    )
