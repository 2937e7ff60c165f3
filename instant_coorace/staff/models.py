"""Accounts of the federation's team, who run the back office."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.extensions import db


class StaffRole(enum.StrEnum):
    #: Everything, including managing staff accounts.
    ADMIN = "admin"
    #: Events, registrations and the member directory.
    TEAM = "team"


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole), default=StaffRole.TEAM)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The password was issued (account created, password reset) and shown to
    #: someone: the next login must choose a new one before anything else.
    must_choose_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    #: Failed logins since the last success (``staff/throttle.py`` makes each
    #: one beyond the first few wait longer before the next try).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # The token of the session this object was loaded for (``staff/sessions.py``),
    # set on the instance; never stored, only its hash is.
    session_token = None
    #: When that session was last used, as loaded (``staff/sessions.py``).
    session_last_seen_at = None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the cookie: the server-side session's token,
        so that ending the session there (logout, deactivation, new password)
        makes a copied cookie worthless."""
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class StaffSession(db.Model):
    """One login of a staff member, valid until revoked or idle for too long."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token held in the cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
