"""``flask worker``: deliver the outbox, in a loop or once (tests, cron)."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from instant_coorace.mail.worker import run_forever, run_jobs


@click.command("worker")
@click.option("--once", is_flag=True, help="Une seule passe sur ce qui est dû, puis quitter.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Envoie les courriels en attente (et toute tâche périodique)."""
    if once:
        run_jobs()
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    interval = current_app.config["MAIL_WORKER_POLL_SECONDS"]
    click.echo(f"Worker démarré : une passe toutes les {interval} s (Ctrl-C pour arrêter).")
    run_forever(current_app._get_current_object(), stop)
    click.echo("Worker arrêté.")
