"""Per-session attendance of a registration."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.events.models import EventSession
from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    #: Absent with a reason the team accepted (« excusé »).
    EXCUSED = "excused"


class AttendanceSource(enum.StrEnum):
    """What recorded the attendance; the most recent source wins."""

    JOIN_LINK = "join_link"
    REPORT = "report"
    CHECK_IN = "check_in"
    SIGNATURE = "signature"
    STAFF = "staff"


class SessionAttendance(db.Model):
    """Whether one registrant attended one session, and for how long.

    At most one row per (registration, session): every way of recording
    attendance updates that row, so two tablets checking the same person in,
    or one report imported twice, still leave one record. A session with no
    row at all is a session where attendance was not taken; a confirmed
    registrant without a row in a session where it was taken is a no-show.
    """

    __tablename__ = "session_attendance"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint(
            "minutes_attended IS NULL OR minutes_attended >= 0", name="minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    source: Mapped[AttendanceSource] = mapped_column(enum_column(AttendanceSource))
    #: Minutes attended, when known (imported reports, join link, signed half-days).
    minutes_attended: Mapped[int | None] = mapped_column(Integer)
    #: First and last time the person was seen (join link opened, report rows).
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why someone is « excusé » or « absent », as the team wrote it.
    reason: Mapped[str] = mapped_column(String(300), default="")
    #: The staff member who recorded it, if any (check-in, staff entry).
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[EventSession] = relationship()

    @property
    def is_present(self) -> bool:
        return self.status is AttendanceStatus.PRESENT
