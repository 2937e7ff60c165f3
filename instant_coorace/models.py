"""Every domain's models, imported together so the metadata (and Alembic) sees them all."""

from instant_coorace.attendance.join_links import JoinLink
from instant_coorace.attendance.models import SessionAttendance
from instant_coorace.attendance.sign_in_models import SessionSignature
from instant_coorace.audit.models import AuditEntry
from instant_coorace.events.models import Event, EventSession, ProgrammeItem, Series
from instant_coorace.invitations.models import (
    Campaign,
    CampaignRecipient,
    SeriesFollower,
    Unsubscription,
)
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person, Structure, StructureKindRow
from instant_coorace.registrations.models import Registration
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.staff.models import StaffSession, StaffUser
from instant_coorace.support.models import Support, SupportTheme

__all__ = [
    "AuditEntry",
    "Campaign",
    "CampaignRecipient",
    "Event",
    "EventSession",
    "JoinLink",
    "OutgoingMail",
    "Person",
    "ProgrammeItem",
    "Registration",
    "ReminderPlan",
    "Series",
    "SeriesFollower",
    "SessionAttendance",
    "SessionSignature",
    "StaffSession",
    "StaffUser",
    "Structure",
    "StructureKindRow",
    "Support",
    "SupportTheme",
    "Unsubscription",
]
