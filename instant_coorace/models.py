"""Every domain's models, imported together so the metadata (and Alembic) sees them all."""

from instant_coorace.events.models import Event, EventSession, ProgrammeItem, Series
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person, Structure, StructureKindRow
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffUser

__all__ = [
    "Event",
    "EventSession",
    "OutgoingMail",
    "Person",
    "ProgrammeItem",
    "Registration",
    "Series",
    "StaffUser",
    "Structure",
    "StructureKindRow",
]
