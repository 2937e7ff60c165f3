"""Server-side staff sessions: the cookie holds a random token, the database its
hash, so that a session can be ended there (logout, deactivation, a new
password) and a copied cookie stops working at once. A session also ends after
``STAFF_SESSION_IDLE_HOURS`` without a request (sliding)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import delete, or_, select, update

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.staff.models import StaffSession, StaffUser
from instant_coorace.transactions import write_transaction

#: ``last_seen_at`` is written at most this often, not on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["STAFF_SESSION_IDLE_HOURS"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: StaffUser, remote_addr: str = "", user_agent: str = "") -> str:
    """Start a session for ``user`` (committed by the caller) and return its token,
    also set on ``user.session_token`` for Flask-Login. The account's ended
    sessions are cleared away on the way."""
    now = utcnow()
    idle_since = now - idle_limit()
    ended = or_(StaffSession.revoked_at.is_not(None), StaffSession.last_seen_at < idle_since)
    db.session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id, ended))
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token_hash=hash_token(token),
            staff_user_id=user.id,
            created_at=now,
            last_seen_at=now,
            remote_addr=(remote_addr or "")[:64],
            user_agent=(user_agent or "")[:255],
        )
    )
    user.session_token = token
    return token


def user_of(token: str) -> StaffUser | None:
    """The active account whose live session ``token`` opens. Reads only: the
    session slides in ``slide`` (see there why not here)."""
    now = utcnow()
    row = db.session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
        .where(StaffSession.token_hash == hash_token(token), StaffSession.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    session, user = row
    if not user.active or session.last_seen_at < now - idle_limit():
        return None
    user.session_token = token
    user.session_last_seen_at = session.last_seen_at
    return user


def slide(user: StaffUser) -> None:
    """Record that ``user``'s session was just used, at most every ``TOUCH_INTERVAL``.

    Called before the view runs (``staff/auth.py``), in a transaction of its
    own: done while the account is loaded, its commit would end whatever the
    view had started reading, wherever the view first asks who is logged in.
    """
    now = utcnow()
    if user.session_last_seen_at is None or user.session_last_seen_at >= now - TOUCH_INTERVAL:
        return
    with write_transaction():
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == hash_token(user.session_token))
            .values(last_seen_at=now)
        )
    user.session_last_seen_at = now


def revoke(token: str | None) -> None:
    """End one session (committed by the caller)."""
    if token:
        db.session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == hash_token(token), StaffSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all(user_id: int, *, keep: str | None = None) -> None:
    """End every session of an account but ``keep`` (committed by the caller)."""
    query = update(StaffSession).where(
        StaffSession.staff_user_id == user_id, StaffSession.revoked_at.is_(None)
    )
    if keep:
        query = query.where(StaffSession.token_hash != hash_token(keep))
    db.session.execute(query.values(revoked_at=utcnow()))
