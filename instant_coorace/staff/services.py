"""Staff accounts: creating them, issuing and choosing passwords, checking who
logs in, and the overview the team lands on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from instant_coorace.addresses import stored_email
from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.events.services import EventLine, event_lines
from instant_coorace.extensions import db
from instant_coorace.formatting import french_time
from instant_coorace.staff import sessions, throttle
from instant_coorace.staff.models import StaffRole, StaffUser
from instant_coorace.transactions import write_transaction

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


class LoginThrottled(StaffAccountError):
    """Too many failed logins for this account: it waits before the next try."""

    def __init__(self, retry_at: dt.datetime, now: dt.datetime) -> None:
        self.seconds_left = max(math.ceil((retry_at - now).total_seconds()), 1)
        minutes = math.ceil(self.seconds_left / 60)
        super().__init__(
            "Trop d'essais infructueux pour ce compte : réessayez dans "
            f"{minutes} minute{'s' if minutes > 1 else ''} (à partir de {french_time(retry_at)})."
        )


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
    with write_transaction():
        if _find(email) is not None:
            raise StaffAccountError(f"Un compte existe déjà pour {email}.")
        if role is None:
            role = StaffRole.TEAM if _has_admin() else StaffRole.ADMIN
        user = StaffUser(email=email, role=role, active=True)
        db.session.add(user)
        return user, _issue_password(user, AuditAction.ACCOUNT_CREATED, {"role": role.value})


def reset_password(email: str) -> str:
    """Replace the password of an account and return the new one-time password."""
    with write_transaction():
        user = _find(stored_email(email))
        if user is None:
            raise StaffAccountError(f"Aucun compte pour {stored_email(email)}.")
        return _issue_password(user, AuditAction.ACCOUNT_PASSWORD_RESET)


def reset_account_password(account_id: int) -> tuple[StaffUser, str]:
    """An admin resets a colleague's password: the account and its new one-time password."""
    with write_transaction():
        user = _get(account_id)
        return user, _issue_password(user, AuditAction.ACCOUNT_PASSWORD_RESET)


def _issue_password(user: StaffUser, action: AuditAction, details: dict | None = None) -> str:
    """Give ``user`` a one-time password, which ends their open sessions, and
    record ``action`` with it, in the caller's writing transaction; returns the password."""
    password = generate_password()
    user.set_password(password)
    user.must_choose_password = True
    db.session.flush()
    sessions.revoke_all(user.id)
    audit.record(action, _named(user), details=details)
    return password


def choose_password(account_id: int, current: str, new: str, session_token: str) -> None:
    """The account's holder replaces their password (issued or their own).

    The form checks the new one's length and confirmation. Changing it ends the
    account's other sessions, all but ``session_token``'s. A wrong current
    password counts as a failed login of the account (``throttle``), so a
    session left open is no way to guess it faster than the login page allows.
    """
    with write_transaction():
        refusal = _decide_new_password(_get(account_id), current, new, session_token)
    if refusal is not None:
        raise refusal


def _decide_new_password(
    user: StaffUser, current: str, new: str, session_token: str
) -> StaffAccountError | None:
    now = utcnow()
    if until := throttle.retry_at(user, now):
        return LoginThrottled(until, now)
    if not user.check_password(current):
        throttle.record_failure(user, now)
        return WrongCurrentPassword()
    throttle.record_success(user)
    if new == current:
        return SamePassword()
    user.set_password(new)
    user.must_choose_password = False
    sessions.revoke_all(user.id, keep=session_token)
    audit.record(AuditAction.PASSWORD_CHANGED, _named(user))
    return None


def team_accounts() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def set_account_active(account_id: int, active: bool, acting_id: int) -> StaffUser:
    """Deactivate (which ends its sessions) or reactivate an account; nobody
    deactivates their own, so that the last admin cannot lock everyone out."""
    if account_id == acting_id and not active:
        raise StaffAccountError("Vous ne pouvez pas désactiver votre propre compte.")
    with write_transaction():
        user = _get(account_id)
        if user.active != active:
            user.active = active
            if not active:
                sessions.revoke_all(user.id)
            action = AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED
            audit.record(action, _named(user))
    return user


def set_account_role(account_id: int, role: StaffRole, acting_id: int) -> StaffUser:
    """Make an account admin or team; nobody changes their own role, so that
    an installation always keeps an admin."""
    if account_id == acting_id:
        raise StaffAccountError("Vous ne pouvez pas changer votre propre rôle.")
    with write_transaction():
        user = _get(account_id)
        if user.role is not role:
            audit.record(
                AuditAction.ACCOUNT_ROLE_CHANGED,
                _named(user),
                details={"avant": user.role.value, "après": role.value},
            )
            user.role = role
    return user


@dataclasses.dataclass(frozen=True)
class LoginAttempt:
    """Where a login comes from: kept with its session and in the audit log."""

    remote_addr: str = ""
    user_agent: str = ""
    #: The account this browser last logged into (its signed cookie):
    #: such a browser is not kept waiting by the account's throttle.
    known_account_id: int | None = None


def authenticate(email: str, password: str, attempt: LoginAttempt | None = None) -> StaffUser:
    """Open a session for the account these credentials name, its last login
    recorded; the session's token is on ``user.session_token``.

    The same message answers an unknown address and a wrong password; a disabled
    account is only named once its password has been proved. An account with
    too many recent failures waits (``throttle``), its password not even tried.
    """
    attempt = attempt or LoginAttempt()
    # A refused login is recorded (audit, failure count) and committed too: the
    # decision is returned out of the transaction, then raised.
    with write_transaction():
        user, refusal = _decide_login(stored_email(email), password, attempt)
    if refusal is not None:
        raise refusal
    return user


def _decide_login(
    typed: str, password: str, attempt: LoginAttempt
) -> tuple[StaffUser | None, StaffAccountError | None]:
    user = _locked_account(typed)
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None, _refusal(InvalidCredentials(), typed, "adresse inconnue")
    if attempt.known_account_id != user.id and (until := throttle.retry_at(user, now)):
        return user, _refusal(LoginThrottled(until, now), typed, "compte en attente")
    if not user.check_password(password):
        throttle.record_failure(user, now)
        return user, _refusal(
            InvalidCredentials(), typed, "mot de passe incorrect", user.failed_logins
        )
    throttle.record_success(user)
    if not user.active:
        return user, _refusal(AccountDisabled(), typed, "compte désactivé")
    user.last_login_at = now
    sessions.open_session(user, attempt.remote_addr, attempt.user_agent)
    audit.record(AuditAction.LOGIN_SUCCEEDED, actor=user)
    return user, None


def _locked_account(email: str) -> StaffUser | None:
    """The account of ``email``, locked until the login is decided (the row on
    PostgreSQL; on SQLite the writing transaction holds the database's write
    lock): parallel guesses are tried one by one, each seeing the wait the
    previous failures set, so they cannot try more passwords than it allows."""
    query = select(StaffUser).where(StaffUser.email == email)
    if db.engine.dialect.name != "sqlite":
        query = query.with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _refusal(
    error: StaffAccountError, email: str, reason: str, failures: int = 0
) -> StaffAccountError:
    """Record a refused login (with the account's failure count); returns ``error``."""
    details = {"motif": reason} | ({"échecs": failures} if failures else {})
    audit.record(AuditAction.LOGIN_FAILED, email=email, details=details)
    return error


def log_out(user: StaffUser) -> None:
    """End the session ``user`` was loaded for."""
    token = user.session_token
    with write_transaction():
        sessions.revoke(token)
        audit.record(AuditAction.LOGOUT)


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


def _named(user: StaffUser) -> str:
    return f"Compte {user.email}"


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
