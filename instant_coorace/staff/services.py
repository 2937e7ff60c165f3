"""Staff accounts: creating them, resetting passwords, checking who logs in,
and the overview the team lands on."""

from __future__ import annotations

import dataclasses
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from instant_coorace.addresses import stored_email
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.events.services import EventLine, event_lines
from instant_coorace.extensions import db
from instant_coorace.staff.models import StaffRole, StaffUser

#: Compared against when the address is unknown, so that a wrong address takes
#: as long to refuse as a wrong password and reveals nothing.
_DUMMY_HASH = generate_password_hash("no-such-account")


class StaffAccountError(Exception):
    """A staff account operation that cannot be done; ``message`` is in French."""

    message = "Cette opération sur le compte n'est pas possible."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class InvalidCredentials(StaffAccountError):
    message = "Adresse ou mot de passe incorrect."


class AccountDisabled(StaffAccountError):
    message = "Ce compte est désactivé. Demandez à un·e administrateur·rice de le réactiver."


@dataclasses.dataclass(frozen=True)
class Dashboard:
    upcoming: list[EventLine]
    drafts: list[EventLine]


def generate_password() -> str:
    """A one-time password: 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def create_staff_user(email: str, role: StaffRole = StaffRole.TEAM) -> str:
    """Create an active account and return its one-time password (never stored in clear)."""
    email = stored_email(email)
    if not email or "@" not in email:
        raise StaffAccountError(f"« {email} » n'est pas une adresse e-mail valide.")
    if _find(email) is not None:
        raise StaffAccountError(f"Un compte existe déjà pour {email}.")
    password = generate_password()
    user = StaffUser(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return password


def reset_password(email: str) -> str:
    """Replace the password of an account and return the new one-time password."""
    user = _find(stored_email(email))
    if user is None:
        raise StaffAccountError(f"Aucun compte pour {stored_email(email)}.")
    password = generate_password()
    user.set_password(password)
    db.session.commit()
    return password


def authenticate(email: str, password: str) -> StaffUser:
    """The account these credentials open, its last login recorded.

    The same message answers an unknown address and a wrong password; a disabled
    account is only named once its password has been proved.
    """
    user = _find(stored_email(email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise InvalidCredentials()
    if not user.check_password(password):
        raise InvalidCredentials()
    if not user.active:
        raise AccountDisabled()
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def dashboard() -> Dashboard:
    """Published events still to come and every draft, with their counts (three queries)."""
    now = utcnow()
    upcoming = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
    ).all()
    drafts = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.DRAFT)
        .order_by(Event.starts_at.is_(None), Event.starts_at, Event.id)
    ).all()
    lines = event_lines([*upcoming, *drafts])
    return Dashboard(upcoming=lines[: len(upcoming)], drafts=lines[len(upcoming) :])


def _find(email: str) -> StaffUser | None:
    return db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one_or_none()
