"""Every domain's models, imported together so the metadata (and Alembic) sees them all."""

from instant_coorace.attendance.join_links import JoinLink
from instant_coorace.attendance.models import SessionAttendance
from instant_coorace.audit.models import AuditEntry
from instant_coorace.events.models import Event, EventSession, ProgrammeItem, Series
from instant_coorace.invitations.models import SeriesFollower, Unsubscription
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person, Structure, StructureKindRow
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffSession, StaffUser

__all__ = [
    "AuditEntry",
    "Event",
    "EventSession",
    "JoinLink",
    "OutgoingMail",
    "Person",
    "ProgrammeItem",
    "Registration",
    "Series",
    "SeriesFollower",
    "SessionAttendance",
    "StaffSession",
    "StaffUser",
    "Structure",
    "StructureKindRow",
    "Unsubscription",
]
