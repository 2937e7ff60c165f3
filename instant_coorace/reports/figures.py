"""The figures of a period beside those of the period before, as sections of
tables and charts (see ``tables.py``); every number comes from ``queries.py``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from instant_coorace.database import room_to_aggregate
from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.extensions import db
from instant_coorace.labels import DEPARTMENTS, EVENT_FORMAT, EVENT_KIND
from instant_coorace.members.models import StructureKind
from instant_coorace.reports import queries as q
from instant_coorace.reports.charts import Chart
from instant_coorace.reports.period import Period
from instant_coorace.reports.tables import Figure, Section, Table, contributed_sections

DEPARTMENT_BUCKETS = {
    **{code: f"{code} {name}" for code, name in DEPARTMENTS.items()},
    q.OUTSIDE_REGION: "Hors région",
    q.UNKNOWN_DEPARTMENT: "Département non renseigné",
    q.NOT_IN_DIRECTORY: "Structure hors annuaire",
}
STRUCTURE_KIND_BUCKETS = {
    **{kind.value: kind.value for kind in StructureKind},
    q.PARTNER: "Partenaire",
    q.OTHER: "Autre (type non renseigné)",
}


@dataclasses.dataclass(frozen=True)
class _Counts:
    """Everything the queries return for one period."""

    events: dict
    sessions: dict
    registrations: dict
    training: dict
    totals: tuple[int, int, int]
    departments: dict
    structure_kinds: dict
    member_structures: int
    months: dict
    without_attendance: list
    never_reached: list


def _counts(period: Period, buckets, *, lists: bool = True) -> _Counts:
    """The period's counts; ``lists`` (events without attendance, members never
    reached) only for the period shown, not for the one compared with."""
    queries = q.PeriodQueries(*period.utc_bounds())
    reach = queries.reach()
    return _Counts(
        events=queries.events_by_kind_and_format(),
        sessions=queries.sessions_by_kind(),
        registrations=queries.registrations_by_kind(),
        training=queries.training_by_kind(),
        totals=reach.totals,
        departments=reach.departments,
        structure_kinds=reach.structure_kinds,
        member_structures=queries.member_structures(),
        months=queries.events_per_bucket(buckets),
        without_attendance=queries.events_without_attendance() if lists else [],
        never_reached=queries.members_never_reached() if lists else [],
    )


def period_sections(period: Period) -> list[Section]:
    """The page, top to bottom: built-in sections, then those other domains add."""
    previous = period.previous()
    room_to_aggregate(db.session)
    now = _counts(period, period.buckets())
    before = _counts(previous, [], lists=False) if previous else None
    return [
        _events_section(period, now, before),
        _attendance_section(now, before, now.without_attendance),
        _reach_section(now, before, now.never_reached),
        _training_section(now, before),
        *contributed_sections(period, previous),
    ]


class _Compare:
    """Builds :class:`Figure` cells from the same reading of both periods."""

    def __init__(self, now: _Counts, before: _Counts | None) -> None:
        self.now, self.before = now, before

    def __call__(self, read: Callable[[_Counts], float], *, percent: bool = False) -> Figure:
        previous = read(self.before) if self.before is not None else None
        return Figure(read(self.now), previous, percent=percent)


def _events_section(period: Period, now: _Counts, before: _Counts | None) -> Section:
    compare = _Compare(now, before)

    def events(kind: EventKind | None, fmt: EventFormat | None = None):
        return lambda c: sum(
            n
            for (k, f), n in c.events.items()
            if (kind is None or k is kind) and (fmt is None or f is fmt)
        )

    def sessions(kind: EventKind | None, index: int):
        return lambda c: round(
            sum(v[index] for k, v in c.sessions.items() if kind is None or k is kind), 1
        )

    rows = tuple(
        (
            EVENT_KIND[kind] if kind else "Total",
            compare(events(kind)),
            *(compare(events(kind, fmt)) for fmt in EventFormat),
            compare(sessions(kind, 0)),
            compare(sessions(kind, 1)),
        )
        for kind in (*EventKind, None)
    )
    by_kind = Table(
        name="Événements",
        title="Événements tenus, par type et par format",
        counted=(
            "Événements publiés (ni brouillons ni annulés) dont la première séance tombe "
            "dans la période ; heures = durée des séances, additionnées."
        ),
        columns=(
            "Type",
            "Événements",
            *(EVENT_FORMAT[fmt] for fmt in EventFormat),
            "Séances",
            "Heures",
        ),
        rows=rows,
    )
    buckets = [name for name, _start, _end in period.buckets()]
    per_month = Chart(
        name="evenements-par-mois",
        title="Événements par mois et par type"
        if period.months <= 36
        else "Événements par an et par type",
        description="Nombre d'événements tenus, empilés par type d'événement.",
        labels=tuple(buckets),
        series=tuple(
            (EVENT_KIND[kind], tuple(now.months.get((name, kind), 0) for name in buckets))
            for kind in EventKind
        ),
        stacked=True,
    )
    return Section("Événements", (by_kind,), charts=(per_month,))


def _attendance_section(now, before, without_attendance) -> Section:
    compare = _Compare(now, before)

    def reg(kind: EventKind | None, name: str):
        return lambda c: sum(
            getattr(v, name) for k, v in c.registrations.items() if kind is None or k is kind
        )

    def rate(kind: EventKind | None):
        def read(c: _Counts) -> float | None:
            confirmed = reg(kind, "confirmed_taken")(c)
            return reg(kind, "present")(c) / confirmed if confirmed else None

        return read

    rows = tuple(
        (
            EVENT_KIND[kind] if kind else "Total",
            compare(reg(kind, "confirmed")),
            compare(reg(kind, "on_site")),
            compare(reg(kind, "waitlisted")),
            compare(reg(kind, "cancelled")),
            compare(reg(kind, "events_taken")),
            compare(reg(kind, "confirmed_taken")),
            compare(reg(kind, "present")),
            compare(reg(kind, "no_show")),
            compare(rate(kind), percent=True),
        )
        for kind in (*EventKind, None)
    )
    table = Table(
        name="Inscriptions et présence",
        title="Inscriptions, présence et liste d'attente, par type d'événement",
        counted=(
            "Inscriptions confirmées aux événements tenus (dont « sur place ») ; présent·e = "
            "au moins une séance pointée « présent » ; taux de présence = présent·es / "
            "confirmé·es, aux seuls événements où l'appel a été fait ; absent·e = confirmé·e "
            "sans présence à un événement où l'appel a été fait."
        ),
        columns=(
            "Type",
            "Inscriptions confirmées",
            "Dont sur place",
            "En liste d'attente",
            "Désinscriptions",
            "Événements avec appel",
            "Confirmées (avec appel)",
            "Présent·es",
            "Absent·es",
            "Taux de présence",
        ),
        rows=rows,
    )
    missing = Table(
        name="Sans appel",
        title="Événements où l'appel n'a pas été fait",
        counted="Aucune présence enregistrée à aucune séance : ils ne comptent pas dans le taux.",
        columns=("Événement", "Date", "Inscriptions confirmées"),
        rows=tuple((title, start, confirmed) for title, start, confirmed in without_attendance),
    )
    chart_kinds = [k for k in EventKind if rate(k)(now) is not None]
    chart = Chart(
        name="taux-de-presence",
        title="Taux de présence par type d'événement",
        description=(
            "Part des inscrit·es confirmé·es venu·es, aux événements où l'appel a été fait."
        ),
        labels=tuple(EVENT_KIND[k] for k in chart_kinds),
        series=(("Taux de présence", tuple(round(rate(k)(now) * 100, 1) for k in chart_kinds)),),
        unit=" %",
    )
    notes = ()
    if without_attendance:
        notes = (
            f"L'appel n'a pas été fait à {len(without_attendance)} événement(s) : "
            "voir la liste plus bas ; leurs inscrit·es comptent comme participant·es.",
        )
    return Section("Inscriptions et présence", (table, missing), charts=(chart,), notes=notes)


def _pair_rows(compare: _Compare, buckets: dict, counts_of) -> tuple:
    """One row per bucket with its two counts (each beside the previous
    period's); ``counts_of`` picks the ``{bucket: (first, second)}`` to read."""
    return tuple(
        (
            label,
            compare(lambda c, b=bucket: counts_of(c).get(b, (0, 0))[0]),
            compare(lambda c, b=bucket: counts_of(c).get(b, (0, 0))[1]),
        )
        for bucket, label in buckets.items()
    )


def _reach_section(now, before, never_reached) -> Section:
    compare = _Compare(now, before)

    def share(c: _Counts) -> float | None:
        return c.totals[2] / c.member_structures if c.member_structures else None

    totals = Table(
        name="Personnes touchées",
        title="Personnes et structures touchées",
        counted=(
            "Personnes distinctes ayant participé (présentes là où l'appel a été fait, "
            "inscrites confirmées ailleurs), personnes anonymisées comprises ; structures "
            "de l'annuaire d'où elles venaient (celle indiquée à l'inscription)."
        ),
        columns=("Mesure", "Nombre"),
        rows=(
            ("Personnes distinctes", compare(lambda c: c.totals[0])),
            ("Structures distinctes", compare(lambda c: c.totals[1])),
            ("Adhérentes (actives) touchées", compare(lambda c: c.totals[2])),
            ("Adhérentes actives (annuaire d'aujourd'hui)", now.member_structures),
            ("Part des adhérentes touchées", compare(share, percent=True)),
        ),
    )
    departments = Table(
        name="Par département",
        title="Participant·es et structures par département",
        counted=(
            "Département de la structure (déduit du code postal s'il manque) ; une personne "
            "venue pour deux structures compte dans chaque département."
        ),
        columns=("Département", "Personnes", "Structures"),
        rows=_pair_rows(compare, DEPARTMENT_BUCKETS, lambda c: c.departments),
    )
    kinds = Table(
        name="Par type de structure",
        title="Structures et participant·es par type de structure",
        counted=(
            "Une structure aux plusieurs formes (AI/ACI/GES…) compte sous chacune ; les "
            "partenaires sous « Partenaire » ; hors annuaire non comptées."
        ),
        columns=("Type de structure", "Structures", "Personnes"),
        rows=_pair_rows(compare, STRUCTURE_KIND_BUCKETS, lambda c: c.structure_kinds),
    )
    never = Table(
        name="Adhérentes non touchées",
        title="Adhérentes jamais touchées sur la période (à appeler)",
        counted="Structures adhérentes actives dont personne n'a participé à un événement tenu.",
        columns=("Structure", "Département", "Ville"),
        rows=tuple(never_reached),
    )
    department_chart = Chart(
        name="participants-par-departement",
        title="Participant·es par département",
        description="Personnes distinctes ayant participé, selon le département de leur structure.",
        labels=tuple(DEPARTMENT_BUCKETS.values()),
        series=(
            (
                "Personnes",
                tuple(now.departments.get(b, (0, 0))[0] for b in DEPARTMENT_BUCKETS),
            ),
        ),
        horizontal=True,
    )
    kind_chart = Chart(
        name="structures-par-type",
        title="Structures touchées par type",
        description="Structures distinctes d'où sont venu·es les participant·es, par type.",
        labels=tuple(STRUCTURE_KIND_BUCKETS.values()),
        series=(
            (
                "Structures",
                tuple(now.structure_kinds.get(b, (0, 0))[0] for b in STRUCTURE_KIND_BUCKETS),
            ),
        ),
    )
    return Section(
        "Personnes et structures touchées",
        (totals, departments, kinds, never),
        charts=(department_chart, kind_chart),
    )


def _training_section(now, before) -> Section:
    compare = _Compare(now, before)

    def training(kind: EventKind, index: int):
        return lambda c: round(c.training.get(kind, (0, 0.0))[index], 1)

    def per_trainee(kind: EventKind):
        def read(c: _Counts) -> float | None:
            trainees = training(kind, 0)(c)
            return round(training(kind, 1)(c) / trainees, 1) if trainees else None

        return read

    rows = tuple(
        (
            EVENT_KIND[kind],
            compare(training(kind, 0)),
            compare(training(kind, 1)),
            compare(per_trainee(kind)),
        )
        for kind in sorted(EventKind, key=lambda k: k is not EventKind.FORMATION)
    )
    table = Table(
        name="Heures-stagiaires",
        title="Heures-stagiaires (stagiaires × heures), pour les financeurs de la formation",
        counted=(
            "Pour chaque séance, sa durée × les personnes pointées présentes ; seules les "
            "séances où l'appel a été fait comptent."
        ),
        columns=(
            "Type",
            "Stagiaires (personnes présentes)",
            "Heures-stagiaires",
            "Heures par stagiaire",
        ),
        rows=rows,
    )
    return Section("Formation", (table,))
