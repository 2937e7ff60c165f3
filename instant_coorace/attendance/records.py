"""Recording attendance: the one write every way of taking it goes through.

The join link, an imported report, the check-in page, a signature and the
team all describe what they saw as an ``Observation``; ``record`` turns a batch
of them into one insert-or-update statement on the (registration, session)
key. So a second tap, a second tablet or a report imported again updates the
same row instead of adding one, even when two of them race.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, delete, func

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.database import per_dialect, utcnow
from instant_coorace.extensions import db

_TABLE = SessionAttendance.__table__


@dataclasses.dataclass(frozen=True)
class Observation:
    """What one source saw of one registrant at one session.

    ``None`` means "not known from this source": an observation without minutes
    keeps the minutes already recorded, and seen times only ever widen the span
    between the first and the last time the person was seen.
    """

    registration_id: int
    session_id: int
    status: AttendanceStatus
    source: AttendanceSource
    minutes_attended: int | None = None
    first_seen_at: dt.datetime | None = None
    last_seen_at: dt.datetime | None = None
    reason: str = ""
    recorded_by_id: int | None = None


def record(observations: Sequence[Observation]) -> None:
    """Write ``observations`` in the caller's transaction (one statement).

    The latest observation sets the status, source, reason and recorder; see
    ``Observation`` for minutes and seen times. Does not commit.
    """
    if not observations:
        return
    now = utcnow()
    rows = [
        dataclasses.asdict(seen) | {"created_at": now, "updated_at": now} for seen in observations
    ]
    db.session.execute(_UPSERT[db.engine.dialect.name], rows)


def _upsert(insert):
    """The insert-or-update of ``record``, built once per dialect at import."""
    statement = insert(_TABLE)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.registration_id, _TABLE.c.session_id],
        set_={
            "status": new.status,
            "source": new.source,
            "reason": new.reason,
            "recorded_by_id": new.recorded_by_id,
            "minutes_attended": func.coalesce(new.minutes_attended, _TABLE.c.minutes_attended),
            "first_seen_at": _earliest(_TABLE.c.first_seen_at, new.first_seen_at),
            "last_seen_at": _latest(_TABLE.c.last_seen_at, new.last_seen_at),
            "updated_at": new.updated_at,
        },
    )


def forget(registration_id: int, session_id: int) -> bool:
    """Remove what was recorded of one registrant at one session (an undone
    check-in, say); returns whether there was something. Does not commit."""
    result = db.session.execute(
        delete(_TABLE).where(
            _TABLE.c.registration_id == registration_id, _TABLE.c.session_id == session_id
        )
    )
    return bool(result.rowcount)


def _earliest(kept, seen):
    return _widened(kept, seen, seen < kept)


def _latest(kept, seen):
    return _widened(kept, seen, seen > kept)


def _widened(kept, seen, seen_wins):
    """``seen`` when it is known and ``seen_wins`` (or nothing was kept), else
    ``kept``. A CASE, because SQLite's two-argument ``min`` and PostgreSQL's
    ``LEAST`` disagree on NULL."""
    return case((seen.is_(None), kept), (kept.is_(None), seen), (seen_wins, seen), else_=kept)


_UPSERT = per_dialect(_upsert)
