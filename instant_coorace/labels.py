"""French labels of the domain's enumerations, shared by pages, forms and exports."""

from instant_coorace.events.models import Audience, EventFormat, EventKind, EventStatus
from instant_coorace.members.models import Membership
from instant_coorace.registrations.models import RegistrationSource, RegistrationStatus
from instant_coorace.staff.models import StaffRole

EVENT_KIND = {
    EventKind.INSTANT_COORACE: "L'Instant Coorace",
    EventKind.ATELIER_COLLECTIF: "Atelier collectif",
    EventKind.FORMATION: "Formation",
    EventKind.WEBINAIRE: "Webinaire",
    EventKind.JOURNEE: "Journée / rencontre",
    EventKind.ASSEMBLEE_GENERALE: "Assemblée générale",
    EventKind.COLLECTIF: "Collectif",
}
AUDIENCE = {
    Audience.MEMBERS: "Adhérents",
    Audience.MEMBERS_AND_PARTNERS: "Adhérents et partenaires",
    Audience.PUBLIC: "Tout public",
}
EVENT_FORMAT = {
    EventFormat.IN_PERSON: "Présentiel",
    EventFormat.ONLINE: "En visio",
    EventFormat.HYBRID: "Hybride (présentiel et visio)",
}
EVENT_STATUS = {
    EventStatus.DRAFT: "Brouillon",
    EventStatus.PUBLISHED: "Publié",
    EventStatus.CANCELLED: "Annulé",
}
REGISTRATION_STATUS = {
    RegistrationStatus.CONFIRMED: "Inscrit·e",
    RegistrationStatus.WAITLISTED: "Liste d'attente",
    RegistrationStatus.CANCELLED: "Désinscrit·e",
}
REGISTRATION_SOURCE = {
    RegistrationSource.PUBLIC_FORM: "Formulaire public",
    RegistrationSource.STAFF: "Ajout par l'équipe",
    RegistrationSource.INVITATION: "Invitation",
    RegistrationSource.ON_SITE: "Sur place",
}
MEMBERSHIP = {Membership.MEMBER: "Adhérente", Membership.PARTNER: "Partenaire"}
STAFF_ROLE = {StaffRole.ADMIN: "Administrateur·rice", StaffRole.TEAM: "Équipe"}

DEPARTMENTS = {
    "09": "Ariège",
    "11": "Aude",
    "12": "Aveyron",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "34": "Hérault",
    "46": "Lot",
    "48": "Lozère",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
}
"""The 13 departments of Occitanie."""
