"""Signing a training's half-day on screen, and the team's « absent » / « excusé ».

A trainee signs a session from its start until a day after its end, on a staff
tablet or on their own phone through their personal link. The drawing is
checked to be a real, non-blank PNG of bounded size before anything is
written; then the signature and the attendance (present, source « signature »,
the session's full length) are written in one transaction, through
``records.record`` like every other way of taking attendance.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import io

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, record
from instant_coorace.attendance.sign_in_models import MAX_SIGNATURE_BYTES, SessionSignature
from instant_coorace.database import per_dialect, utcnow
from instant_coorace.events.models import Event, EventKind, EventSession
from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.transactions import write_transaction

#: How long after a session's end its sheet may still be signed.
LATE_SIGNING = dt.timedelta(days=1)
_DATA_URL_PREFIX = "data:image/png;base64,"
#: A canvas larger than this is no tablet's or phone's.
_MAX_SIDE = 4000


class SigningRefused(Exception):
    """A signature or absence that cannot be recorded, with a French message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    """No such session, or the registrant is not a confirmed one of its event."""


def signs_in(event: Event) -> bool:
    """Trainings are signed per half-day (what funders and Qualiopi ask)."""
    return event.kind is EventKind.FORMATION


def is_open_for_signing(session: EventSession, now: dt.datetime | None = None) -> bool:
    return window_refusal(session, now) is None


def open_sessions(registration: Registration) -> list[EventSession]:
    """The sessions this registrant may sign now (for their personal page)."""
    if registration.status is not RegistrationStatus.CONFIRMED or not signs_in(registration.event):
        return []
    now = utcnow()
    return [s for s in registration.event.sessions if is_open_for_signing(s, now)]


def session_of(event_id: int, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event_id:
        raise NotFound()
    return session


def trainee(session: EventSession, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.event_id != session.event_id
        or registration.status is not RegistrationStatus.CONFIRMED
    ):
        raise NotFound()
    return registration


@dataclasses.dataclass(frozen=True)
class TraineeLine:
    registration: Registration
    attendance: SessionAttendance | None
    signed_at: dt.datetime | None


def session_roster(session: EventSession) -> list[TraineeLine]:
    """The session's confirmed registrants by name, with what was recorded (three queries)."""
    registrations = confirmed_registrants(session.event_id)
    attendance = {
        row.registration_id: row
        for row in db.session.scalars(
            select(SessionAttendance).where(SessionAttendance.session_id == session.id)
        )
    }
    signed = dict(
        db.session.execute(
            select(SessionSignature.registration_id, SessionSignature.signed_at).where(
                SessionSignature.session_id == session.id
            )
        ).all()
    )
    return [
        TraineeLine(registration, attendance.get(registration.id), signed.get(registration.id))
        for registration in registrations
    ]


def confirmed_registrants(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.last_name, Registration.first_name, Registration.id)
        )
    )


def signature_images(session_id: int) -> dict[int, bytes]:
    """Each signer's PNG for one session, by registration id."""
    return dict(
        db.session.execute(
            select(SessionSignature.registration_id, SessionSignature.image_png).where(
                SessionSignature.session_id == session_id
            )
        ).all()
    )


def sign(
    event_id: int,
    session_id: int,
    registration_id: int,
    drawing: str,
    *,
    staff_user_id: int | None = None,
) -> None:
    """Record ``registration_id``'s signature of the session, ``drawing`` being
    the canvas as a PNG data URL; ``SigningRefused`` (nothing written) when the
    session is not open for signing or the drawing is not a signature."""
    image = _checked_png(drawing)
    with write_transaction():
        session = session_of(event_id, session_id)
        if not signs_in(session.event):
            raise NotFound()
        registration = trainee(session, registration_id)
        now = utcnow()
        if refusal := window_refusal(session, now):
            raise SigningRefused(refusal)
        minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
        values = {
            "registration_id": registration.id,
            "session_id": session.id,
            "image_png": image,
            "signed_at": now,
            "staff_user_id": staff_user_id,
        }
        db.session.execute(_SIGNATURE_UPSERT[db.engine.dialect.name], values)
        record(
            [
                Observation(
                    registration_id=registration.id,
                    session_id=session.id,
                    status=AttendanceStatus.PRESENT,
                    source=AttendanceSource.SIGNATURE,
                    minutes_attended=minutes,
                    first_seen_at=now,
                    last_seen_at=now,
                    recorded_by_id=staff_user_id,
                )
            ]
        )


def mark_absence(
    event_id: int,
    session_id: int,
    registration_id: int,
    status: AttendanceStatus,
    reason: str,
    *,
    staff_user_id: int,
) -> None:
    """The team's « absent » or « excusé » (with its reason) for one session;
    a signature given before is withdrawn, the sheet then shows the absence."""
    if status is AttendanceStatus.PRESENT:
        raise ValueError("an absence is absent or excused")
    with write_transaction():
        session = session_of(event_id, session_id)
        registration = trainee(session, registration_id)
        db.session.execute(
            delete(SessionSignature).where(
                SessionSignature.registration_id == registration.id,
                SessionSignature.session_id == session.id,
            )
        )
        record(
            [
                Observation(
                    registration_id=registration.id,
                    session_id=session.id,
                    status=status,
                    source=AttendanceSource.STAFF,
                    minutes_attended=0,
                    reason=reason.strip(),
                    recorded_by_id=staff_user_id,
                )
            ]
        )


def window_refusal(session: EventSession, now: dt.datetime | None = None) -> str | None:
    """Why ``session`` cannot be signed now, or ``None`` when it can."""
    now = now or utcnow()
    if now < session.starts_at:
        return "Cette session n'a pas encore commencé : la feuille se signe à partir de son début."
    if now > session.ends_at + LATE_SIGNING:
        return (
            "Cette session est terminée depuis plus d'un jour : elle ne peut plus être signée "
            "en ligne. Adressez-vous à l'équipe."
        )
    return None


def _checked_png(drawing: str) -> bytes:
    """The PNG bytes of a canvas data URL, or ``SigningRefused``: not a PNG,
    too large, or nothing drawn (every pixel transparent or of one colour)."""
    if not drawing.startswith(_DATA_URL_PREFIX):
        raise SigningRefused("Signez dans le cadre avant de valider.")
    encoded = drawing.removeprefix(_DATA_URL_PREFIX)
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise SigningRefused(_TOO_LARGE)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SigningRefused(_NOT_AN_IMAGE) from None
    if not data or len(data) > MAX_SIGNATURE_BYTES:
        raise SigningRefused(_TOO_LARGE if data else _NOT_AN_IMAGE)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or max(image.size) > _MAX_SIDE:
                raise SigningRefused(_NOT_AN_IMAGE)
            image.load()
            drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise SigningRefused(_NOT_AN_IMAGE) from None
    if not _has_strokes(drawn):
        raise SigningRefused("Le cadre est vide : signez avant de valider.")
    return data


def _has_strokes(image: Image.Image) -> bool:
    """Whether anything was drawn: some opaque pixel, and not all of one colour."""
    alpha = image.getchannel("A")
    if alpha.getbbox() is None:
        return False
    low, high = zip(*image.getextrema(), strict=True)
    return any(lo != hi for lo, hi in zip(low, high, strict=True))


_TOO_LARGE = (
    "La signature envoyée est trop volumineuse pour être une signature : "
    "effacez le cadre et signez à nouveau."
)
_NOT_AN_IMAGE = "La signature n'a pas pu être lue : effacez le cadre et signez à nouveau."


def _signature_upsert(insert):
    """A new signature of the same person at the same session replaces the first."""
    statement = insert(SessionSignature.__table__)
    return statement.on_conflict_do_update(
        index_elements=["registration_id", "session_id"],
        set_={k: statement.excluded[k] for k in ("image_png", "signed_at", "staff_user_id")},
    )


_SIGNATURE_UPSERT = per_dialect(_signature_upsert)
