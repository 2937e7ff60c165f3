"""A trainee's signature of one session's émargement, drawn on a screen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.extensions import db

#: The largest signature image kept, in bytes: a drawn signature on a tablet's
#: canvas is a few kilobytes of PNG; anything much larger is not a signature.
MAX_SIGNATURE_BYTES = 200_000


class SessionSignature(db.Model):
    """The image a registrant drew to sign a session's sheet, and when.

    At most one per (registration, session): signing again replaces it. The
    attendance itself (present, source « signature ») is the session's
    ``SessionAttendance`` row; this keeps the proof that the sheet prints.
    """

    __tablename__ = "session_signature"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint(
            f"length(image_png) BETWEEN 1 AND {MAX_SIGNATURE_BYTES}", name="image_size_bounded"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE"), index=True
    )
    #: The drawing as PNG, checked to be one before it is stored.
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The staff member whose tablet it was signed on; empty on the trainee's own phone.
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
