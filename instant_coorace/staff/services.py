"""Staff accounts: creating them, issuing and choosing passwords, checking who
logs in, and the overview the team lands on."""

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


class WrongCurrentPassword(StaffAccountError):
    message = "Ce n'est pas votre mot de passe actuel."


class SamePassword(StaffAccountError):
    message = "Choisissez un mot de passe différent de celui qui vous a été remis."


#: A password someone chooses must be at least this long (ANSSI's guidance for
#: a password alone, without a second factor, is 12 characters and more).
MIN_PASSWORD_LENGTH = 12


@dataclasses.dataclass(frozen=True)
class Dashboard:
    upcoming: list[EventLine]
    drafts: list[EventLine]


def generate_password() -> str:
    """A one-time password: 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def create_staff_user(email: str, role: StaffRole | None = None) -> tuple[StaffUser, str]:
    """Create an active account; returns it and its one-time password (never
    stored in clear), to be replaced at the first login. Without ``role``: admin for the
    first account of the installation (someone must manage the others), team after."""
    email = stored_email(email)
    if not email or "@" not in email:
        raise StaffAccountError(f"« {email} » n'est pas une adresse e-mail valide.")
    if _find(email) is not None:
        raise StaffAccountError(f"Un compte existe déjà pour {email}.")
    if role is None:
        role = StaffRole.TEAM if _has_admin() else StaffRole.ADMIN
    user = StaffUser(email=email, role=role, active=True)
    db.session.add(user)
    return user, _issue_password(user)


def reset_password(email: str) -> str:
    """Replace the password of an account and return the new one-time password."""
    user = _find(stored_email(email))
    if user is None:
        raise StaffAccountError(f"Aucun compte pour {stored_email(email)}.")
    return _issue_password(user)


def reset_account_password(account_id: int) -> tuple[StaffUser, str]:
    """An admin resets a colleague's password: the account and its new one-time password."""
    user = _get(account_id)
    return user, _issue_password(user)


def _issue_password(user: StaffUser) -> str:
    """Give ``user`` a one-time password, which ends their open sessions; returns it."""
    password = generate_password()
    user.set_password(password)
    user.must_choose_password = True
    db.session.commit()
    return password


def choose_password(account_id: int, current: str, new: str) -> None:
    """The account's holder replaces their password (issued or their own).

    The form checks the new one's length and confirmation. Changing it ends the
    account's other sessions (see ``StaffUser.get_id``).
    """
    user = _get(account_id)
    if not user.check_password(current):
        raise WrongCurrentPassword()
    if new == current:
        raise SamePassword()
    user.set_password(new)
    user.must_choose_password = False
    db.session.commit()


def team_accounts() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def set_account_active(account_id: int, active: bool, acting_id: int) -> StaffUser:
    """Deactivate (which ends its sessions) or reactivate an account; nobody
    deactivates their own, so that the last admin cannot lock everyone out."""
    if account_id == acting_id and not active:
        raise StaffAccountError("Vous ne pouvez pas désactiver votre propre compte.")
    user = _get(account_id)
    user.active = active
    db.session.commit()
    return user


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


def _get(account_id: int) -> StaffUser:
    user = db.session.get(StaffUser, account_id)
    if user is None:
        raise StaffAccountError("Ce compte n'existe pas.")
    return user


def _has_admin() -> bool:
    return (
        db.session.scalar(select(StaffUser.id).where(StaffUser.role == StaffRole.ADMIN).limit(1))
        is not None
    )
