"""Recording sensitive actions, and reading them back for admins.

Every domain's services call ``record`` inside their own transaction, so that
the entry is written with the change or not at all; this module depends on no
domain. Who acted and from where come from the request being served (none
from the command line, which says so in the entry's details).
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, select

from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.extensions import db
from instant_coorace.pagination import Page, paginate

PER_PAGE = 50


def record(
    action: AuditAction,
    target: str = "",
    *,
    details: dict | None = None,
    actor=None,
    email: str | None = None,
) -> None:
    """Add an entry to the session (the caller commits). ``actor`` (a staff
    account) defaults to the logged-in one; ``email`` is for a failed login's
    typed address."""
    details = dict(details or {})
    remote_addr = ""
    if has_request_context():
        remote_addr = request.remote_addr or ""
        if actor is None and current_user.is_authenticated:
            actor = current_user
    else:
        details.setdefault("origine", "ligne de commande")
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
