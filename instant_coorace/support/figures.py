"""The offre modulaire in figures, for a period: supports by theme, by
department and by structure kind, and how much of their days the members used.

``support_figures`` returns plain values, read by a constant number of
aggregate queries whatever the number of supports or structures; the yearly
figures page (``reports``) and this domain's own page both show them, and
``support/export.py`` turns them into CSV and XLSX.

To show them in another page::

    figures = support_figures(start, end)
    render_template(..., support_figures=figures, support_tables=figure_tables(figures))
    {% include "support/_figures.html" %}

and ``export.add_sheets(workbook, figures)`` adds their sheets to a workbook.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, case, distinct, func, literal, select

from instant_coorace.extensions import db
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.members.models import Membership, Structure, StructureKind, StructureKindRow
from instant_coorace.support.allowance import yearly_minutes
from instant_coorace.support.models import Support, SupportTheme

OUTSIDE_REGION = "Hors région"
NO_DEPARTMENT = "Département non renseigné"
NO_KIND = "Type non renseigné"

#: One line of French under each table, saying how it is counted.
HOW_COUNTED = {
    "theme": "Chaque accompagnement compte une fois, sous sa thématique.",
    "department": "Département de la structure accompagnée, tel que l'annuaire le donne.",
    "kind": (
        "Une structure qui porte plusieurs types (un GES souvent) compte sous chacun : "
        "les lignes peuvent dépasser le total."
    ),
    "usage": (
        "Structures adhérentes actives, et celles désactivées depuis qui ont été "
        "accompagnées sur la période ; leurs jours de la période comparés à l'offre "
        "de chaque année civile qu'elle touche."
    ),
}


@dataclasses.dataclass(frozen=True)
class Line:
    label: str
    supports: int
    minutes: int
    structures: int


@dataclasses.dataclass(frozen=True)
class MemberUse:
    structure_id: int
    name: str
    minutes: int


@dataclasses.dataclass(frozen=True)
class Usage:
    """Members by how much of their days they used over the period."""

    allowed_minutes: int
    used_all: list[MemberUse]
    used_some: list[MemberUse]
    used_none: list[MemberUse]

    @property
    def members(self) -> int:
        return len(self.used_all) + len(self.used_some) + len(self.used_none)


@dataclasses.dataclass(frozen=True)
class SupportFigures:
    start: dt.date
    end: dt.date
    supports: int
    minutes: int
    structures: int
    over_allowance: int
    by_theme: list[Line]
    by_department: list[Line]
    by_kind: list[Line]
    usage: Usage


def support_figures(start: dt.date, end: dt.date) -> SupportFigures:
    """The figures of the supports given from ``start`` to ``end`` (both included)."""
    in_period = and_(Support.given_on >= start, Support.given_on <= end)
    totals = db.session.execute(
        select(
            func.count(Support.id),
            func.coalesce(func.sum(Support.minutes), 0),
            func.count(distinct(Support.structure_id)),
            func.coalesce(func.sum(case((Support.over_allowance, 1), else_=0)), 0),
        ).where(in_period)
    ).one()
    return SupportFigures(
        start=start,
        end=end,
        supports=totals[0],
        minutes=int(totals[1]),
        structures=totals[2],
        over_allowance=int(totals[3]),
        by_theme=_by_theme(in_period),
        by_department=_by_department(in_period),
        by_kind=_by_kind(in_period),
        usage=_usage(in_period, years=end.year - start.year + 1),
    )


def _measures():
    return (
        func.count(distinct(Support.id)),
        func.coalesce(func.sum(Support.minutes), 0),
        func.count(distinct(Support.structure_id)),
    )


def _by_theme(in_period) -> list[Line]:
    """Every active theme, and any inactive one used in the period."""
    rows = db.session.execute(
        select(SupportTheme.name, SupportTheme.active, *_measures())
        .outerjoin(Support, and_(Support.theme_id == SupportTheme.id, in_period))
        .group_by(SupportTheme.id, SupportTheme.name, SupportTheme.active)
        .order_by(SupportTheme.name)
    ).all()
    return [
        Line(name, count, int(minutes), structures)
        for name, active, count, minutes, structures in rows
        if active or count
    ]


def _by_department(in_period) -> list[Line]:
    """The 13 departments of Occitanie always, then outside the region and unknown."""
    rows = db.session.execute(
        select(Structure.department, *_measures())
        .join(Structure, Structure.id == Support.structure_id)
        .where(in_period)
        .group_by(Structure.department)
    ).all()
    found = {department: row for department, *row in rows}
    lines = [
        Line(f"{code} – {name}", *_counts(found.pop(code, None)))
        for code, name in DEPARTMENTS.items()
    ]
    unknown = found.pop("", None)
    if found:
        lines.append(Line(OUTSIDE_REGION, *_summed(found.values())))
    if unknown:
        lines.append(Line(NO_DEPARTMENT, *_counts(unknown)))
    return lines


def _by_kind(in_period) -> list[Line]:
    rows = db.session.execute(
        select(StructureKindRow.kind, *_measures())
        .select_from(Support)
        .outerjoin(StructureKindRow, StructureKindRow.structure_id == Support.structure_id)
        .where(in_period)
        .group_by(StructureKindRow.kind)
    ).all()
    found = {kind: row for kind, *row in rows}
    lines = [Line(kind.value, *_counts(found.pop(kind, None))) for kind in StructureKind]
    if found.get(None):
        lines.append(Line(NO_KIND, *_counts(found[None])))
    return lines


def _usage(in_period, *, years: int) -> Usage:
    allowed = yearly_minutes() * years
    used = func.coalesce(func.sum(Support.minutes), literal(0))
    rows = db.session.execute(
        select(Structure.id, Structure.name, used)
        .outerjoin(Support, and_(Support.structure_id == Structure.id, in_period))
        .where(Structure.membership == Membership.MEMBER)
        .where(Structure.active.is_(True) | Support.id.is_not(None))
        .group_by(Structure.id, Structure.name)
        .order_by(func.ic_fold(Structure.name), Structure.id)
    ).all()
    members = [MemberUse(id_, name, int(minutes)) for id_, name, minutes in rows]
    return Usage(
        allowed_minutes=allowed,
        used_all=[m for m in members if m.minutes and m.minutes >= allowed],
        used_some=[m for m in members if 0 < m.minutes < allowed],
        used_none=[m for m in members if not m.minutes],
    )


def _counts(row) -> tuple[int, int, int]:
    if row is None:
        return 0, 0, 0
    count, minutes, structures = row
    return count, int(minutes), structures


def _summed(rows) -> tuple[int, int, int]:
    counted = [_counts(row) for row in rows]
    return tuple(sum(column) for column in zip(*counted, strict=True))
