"""Read-only views of the member directory for public forms."""

from __future__ import annotations

import dataclasses
from itertools import groupby

from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.members.models import Membership, Structure

UNKNOWN_DEPARTMENT = "Département non renseigné"


@dataclasses.dataclass(frozen=True)
class PickableStructure:
    id: int
    name: str
    is_member: bool


@dataclasses.dataclass(frozen=True)
class DepartmentGroup:
    """The active structures of one department, as one ``<optgroup>``."""

    label: str
    structures: list[PickableStructure]


def structures_for_picker() -> list[DepartmentGroup]:
    """Active structures grouped by department (in code order, unknown last),
    sorted by name inside each group; one query, no structure objects loaded."""
    rows = db.session.execute(
        select(Structure.id, Structure.name, Structure.membership, Structure.department)
        .where(Structure.active.is_(True))
        .order_by(Structure.department == "", Structure.department, Structure.name)
    ).all()
    return [
        DepartmentGroup(
            label=_department_label(department),
            structures=[
                PickableStructure(row.id, row.name, row.membership is Membership.MEMBER)
                for row in group
            ],
        )
        for department, group in groupby(rows, key=lambda row: row.department)
    ]


def _department_label(code: str) -> str:
    if not code:
        return UNKNOWN_DEPARTMENT
    name = DEPARTMENTS.get(code)
    return f"{code} – {name}" if name else code
