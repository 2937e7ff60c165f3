"""Recording sensitive actions, and reading them back for admins.

Every domain's services call ``record`` inside their own transaction, so that
the entry is written with the change or not at all; this module depends on no
domain and reads no request. Who acted and from where come from the app's
*actor provider*, which the web layer installs (``staff/auth.py``): services
stay free of ``request`` and ``current_user``, and an entry made outside any
request (the command line) says so in its details.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import delete, select

from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.extensions import db
from instant_coorace.pagination import Page, paginate

PER_PAGE = 50


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is acting and from where: a staff account (or nobody, for a failed
    login) and the client's address."""

    account: object | None
    remote_addr: str


ActorProvider = Callable[[], Actor | None]
"""The actor of the request being served, or ``None`` outside of one."""


def set_actor_provider(app: Flask, provider: ActorProvider) -> None:
    app.extensions["audit_actor"] = provider


def _current_actor() -> Actor | None:
    provider = current_app.extensions.get("audit_actor")
    return provider() if provider else None


def record(
    action: AuditAction,
    target: str = "",
    *,
    details: dict | None = None,
    actor=None,
    email: str | None = None,
) -> None:
    """Add an entry to the session (the caller commits). ``actor`` (a staff
    account) defaults to the one acting (see ``set_actor_provider``); ``email``
    is for a failed login's typed address."""
    details = dict(details or {})
    acting = _current_actor()
    if acting is None:
        details.setdefault("origine", "ligne de commande")
    elif actor is None:
        actor = acting.account
    remote_addr = acting.remote_addr if acting else ""
    db.session.add(
        AuditEntry(
            staff_user_id=actor.id if actor is not None else None,
            email=(email if email is not None else actor.email if actor is not None else "")[:254],
            action=action,
            target=target[:300],
            remote_addr=remote_addr[:64],
            details=details,
        )
    )


def entries_page(action: AuditAction | None, number: int) -> Page[AuditEntry]:
    """Newest first, optionally one kind of action only."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return paginate(query, number, PER_PAGE)


def purge_before(cutoff: dt.datetime) -> int:
    """Delete the entries older than ``cutoff`` (the retention period); committed
    by the caller. Returns how many went."""
    return db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount
