import click


@click.command("demo")
def demo_command() -> None:
    """Charge les données de démonstration."""
