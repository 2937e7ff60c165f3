"""Accounts of the federation's team, who run the back office."""

from __future__ import annotations

import datetime as dt
import enum
import hmac

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, String, false
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

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the account and a fingerprint of
        its password, so that a new password ends every other open session."""
        return f"{self.id}-{self.password_fingerprint}"

    @property
    def password_fingerprint(self) -> str:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, self.password_hash.encode(), "sha256").hexdigest()[:32]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
