"""Recording, changing and deleting supports of the offre modulaire.

Each write owns its transaction, takes the structure's row lock (so two
colleagues recording at once cannot both spend the last half-day), and is
written to the audit log with the change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.extensions import db
from instant_coorace.members.models import Membership, Structure
from instant_coorace.staff.models import StaffUser
from instant_coorace.support import durations
from instant_coorace.support.allowance import Allowance, allowance_of
from instant_coorace.support.models import Support, SupportTheme
from instant_coorace.transactions import write_transaction


class SupportError(Exception):
    """A refusal, shown next to ``field`` of the form."""

    message = "Cet accompagnement ne peut pas être enregistré."
    field = ""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class SupportNotFound(SupportError):
    message = "Cet accompagnement n'existe pas ou a été supprimé."


class StructureNotEligible(SupportError):
    field = "structure_id"


class ThemeUnavailable(SupportError):
    field = "theme_id"
    message = "Choisissez une thématique de la liste."


class StaffUnavailable(SupportError):
    field = "staff_user_id"
    message = "Choisissez un membre de l'équipe de la liste."


class AllowanceExceeded(SupportError):
    """Past the year's allowance without the confirmation it takes."""

    field = "confirm_over_allowance"

    def __init__(self, structure_name: str, allowance: Allowance, minutes: int) -> None:
        self.allowance = allowance
        days = durations.days(allowance.allowed_minutes)
        allowed = f"{days} de l'offre modulaire {allowance.year}"
        used = (
            f"a déjà utilisé {durations.both(allowance.used_minutes)} sur les {allowed}"
            if allowance.used_minutes
            else f"n'a encore rien utilisé des {allowed}"
        )
        super().__init__(
            f"« {structure_name} » {used} : avec cet accompagnement de "
            f"{durations.both(minutes)}, elle les dépasse. "
            "Cochez la case pour confirmer quand même."
        )


@dataclasses.dataclass(frozen=True)
class SupportFields:
    """A support as the form describes it, duration already in minutes."""

    structure_id: int | None
    given_on: dt.date
    minutes: int
    theme_id: int | None
    staff_user_id: int | None
    note: str = ""
    confirm_over_allowance: bool = False


# --- Reading -----------------------------------------------------------------


def get_support(support_id: int) -> Support:
    support = db.session.get(Support, support_id)
    if support is None:
        raise SupportNotFound()
    return support


def supports_of_year(year: int) -> list[Support]:
    """The year's supports, newest first, with what the list shows of each."""
    return list(
        db.session.scalars(
            select(Support)
            .options(
                joinedload(Support.structure),
                joinedload(Support.theme),
                joinedload(Support.staff_user),
            )
            .where(
                Support.given_on >= dt.date(year, 1, 1), Support.given_on <= dt.date(year, 12, 31)
            )
            .order_by(Support.given_on.desc(), Support.id.desc())
        )
    )


def supports_of_structure(structure_id: int) -> list[Support]:
    return list(
        db.session.scalars(
            select(Support)
            .options(joinedload(Support.theme), joinedload(Support.staff_user))
            .where(Support.structure_id == structure_id)
            .order_by(Support.given_on.desc(), Support.id.desc())
        )
    )


def eligible_structures(current_id: int | None = None) -> list[tuple[int, str]]:
    """Active member structures by name (and the one a support already names)."""
    query = select(Structure.id, Structure.name, Structure.department).where(
        (Structure.active.is_(True) & (Structure.membership == Membership.MEMBER))
        | (Structure.id == current_id)
    )
    rows = db.session.execute(query.order_by(Structure.name, Structure.id)).all()
    return [
        (row.id, f"{row.name} ({row.department})" if row.department else row.name) for row in rows
    ]


def staff_members(current_id: int | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(StaffUser.id, StaffUser.email)
        .where(StaffUser.active.is_(True) | (StaffUser.id == current_id))
        .order_by(StaffUser.email)
    ).all()
    return [(row.id, row.email) for row in rows]


# --- Writing -----------------------------------------------------------------


def record_support(values: SupportFields) -> Support:
    with write_transaction():
        structure = _eligible_structure(values.structure_id, keeping=None)
        support = Support(structure_id=structure.id)
        _assign(support, structure, values)
        db.session.add(support)
        db.session.flush()
        _audit(AuditAction.SUPPORT_RECORDED, support, structure)
    return support


def update_support(support_id: int, values: SupportFields) -> Support:
    with write_transaction():
        support = get_support(support_id)
        structure = _eligible_structure(values.structure_id, keeping=support.structure_id)
        _assign(support, structure, values)
        _audit(AuditAction.SUPPORT_CHANGED, support, structure)
    return support


def delete_support(support_id: int) -> None:
    with write_transaction():
        support = get_support(support_id)
        _audit(AuditAction.SUPPORT_DELETED, support, support.structure)
        db.session.delete(support)


def _eligible_structure(structure_id: int | None, *, keeping: int | None) -> Structure:
    """The structure, row-locked; refused when it is unknown, a partner, or
    deactivated (unless a support already recorded for it keeps it)."""
    structure = None
    if structure_id is not None:
        structure = db.session.scalars(
            select(Structure).where(Structure.id == structure_id).with_for_update()
        ).one_or_none()
    if structure is None:
        raise StructureNotEligible("Choisissez la structure accompagnée dans la liste.")
    if not structure.is_member:
        raise StructureNotEligible(
            f"« {structure.name} » est partenaire : l'offre modulaire est réservée "
            "aux structures adhérentes, elle n'a pas de jours d'accompagnement."
        )
    if not structure.active and structure.id != keeping:
        raise StructureNotEligible(
            f"« {structure.name} » est désactivée dans l'annuaire : réactivez-la "
            "avant de lui enregistrer un accompagnement."
        )
    return structure


def _assign(support: Support, structure: Structure, values: SupportFields) -> None:
    theme = db.session.get(SupportTheme, values.theme_id) if values.theme_id else None
    if theme is None or not (theme.active or theme.id == support.theme_id):
        raise ThemeUnavailable()
    staff = db.session.get(StaffUser, values.staff_user_id) if values.staff_user_id else None
    if values.staff_user_id and (
        staff is None or not (staff.active or staff.id == support.staff_user_id)
    ):
        raise StaffUnavailable()
    year = values.given_on.year
    after = allowance_of(structure.id, year, excluding=support.id).after(values.minutes)
    over = after.over_minutes > 0
    if over and not values.confirm_over_allowance:
        raise AllowanceExceeded(structure.name, after.after(-values.minutes), values.minutes)
    support.structure_id = structure.id
    support.given_on = values.given_on
    support.minutes = values.minutes
    support.theme_id = theme.id
    support.staff_user_id = staff.id if staff else None
    support.note = values.note
    support.over_allowance = over


def _audit(action: AuditAction, support: Support, structure: Structure) -> None:
    audit.record(
        action,
        f"Accompagnement n° {support.id} : {structure.name}",
        details={
            "date": support.given_on.isoformat(),
            "minutes": support.minutes,
            "theme_id": support.theme_id,
            "au-delà de l'offre": support.over_allowance,
        },
    )
