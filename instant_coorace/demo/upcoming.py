"""The programme of the coming months, dated from the day the demo is loaded, so
that the site looks alive on first start.

Dates fall where the federation would put them, whatever day the demo starts:
webinars and workshops from Tuesday to Thursday, trainings and other events on
working days, never on a weekend or a French public holiday.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from instant_coorace.events.models import Audience, EventFormat, EventKind
from instant_coorace.workdays import is_working_day

TUESDAY_TO_THURSDAY = frozenset({1, 2, 3})
MONDAY_TO_FRIDAY = frozenset(range(5))
WEEKDAYS_BY_KIND = {
    EventKind.INSTANT_COORACE: TUESDAY_TO_THURSDAY,
    EventKind.WEBINAIRE: TUESDAY_TO_THURSDAY,
    EventKind.ATELIER_COLLECTIF: TUESDAY_TO_THURSDAY,
}
"""``date.weekday()`` numbers an event of each kind may start on; Monday to Friday otherwise."""


@dataclasses.dataclass(frozen=True)
class Slot:
    start: dt.time
    end: dt.time
    label: str = ""
    #: Which day of the event (0 for the first): a two-day training has days 0 and 1.
    day: int = 0


@dataclasses.dataclass(frozen=True)
class UpcomingEvent:
    kind: EventKind
    title: str
    #: Roughly how far ahead it is; it starts on the first suitable day from then.
    days_from_today: int
    slots: tuple[Slot, ...]
    event_format: EventFormat
    audience: Audience
    capacity: int | None
    seats_per_structure: int | None
    venue_name: str = ""
    venue_address: str = ""
    department: str = ""
    programme: tuple[str, ...] = ()
    description: str = ""
    #: Share of the capacity already taken in the demo (above 1 fills the waiting list).
    fill: float = 0.5

    def days(self, today: dt.date) -> list[dt.date]:
        """The date of each slot: the event's days are consecutive working days,
        the first one a day its kind may start on."""
        weekdays = WEEKDAYS_BY_KIND.get(self.kind, MONDAY_TO_FRIDAY)
        length = max(slot.day for slot in self.slots) + 1
        first = today + dt.timedelta(days=self.days_from_today)
        while first.weekday() not in weekdays or not all(
            is_working_day(first + dt.timedelta(days=n)) for n in range(length)
        ):
            first += dt.timedelta(days=1)
        return [first + dt.timedelta(days=slot.day) for slot in self.slots]


def _instant(days: int, hour: int, programme: tuple[str, ...]) -> UpcomingEvent:
    return UpcomingEvent(
        kind=EventKind.INSTANT_COORACE,
        title="L'Instant Coorace",
        days_from_today=days,
        slots=(Slot(dt.time(hour), dt.time(hour + 1, 30)),),
        event_format=EventFormat.ONLINE,
        audience=Audience.MEMBERS,
        capacity=100,
        seats_per_structure=None,
        programme=programme,
        description=(
            "Le rendez-vous en visio des adhérents de Coorace Occitanie : l'actualité du "
            "réseau, des sujets clés pour les structures et l'intervention d'un partenaire.\n\n"
            "Le lien de connexion est envoyé aux personnes inscrites."
        ),
        fill=0.4,
    )


def _atelier(
    days: int, title: str, venue: str, address: str, department: str, fill: float
) -> UpcomingEvent:
    return UpcomingEvent(
        kind=EventKind.ATELIER_COLLECTIF,
        title=title,
        days_from_today=days,
        slots=(Slot(dt.time(9, 30), dt.time(16, 30)),),
        event_format=EventFormat.IN_PERSON,
        audience=Audience.MEMBERS,
        capacity=15,
        seats_per_structure=2,
        venue_name=venue,
        venue_address=address,
        department=department,
        programme=(
            "Accueil et tour de table",
            "Témoignages de deux structures adhérentes",
            "Ateliers d'échange de pratiques en petits groupes",
            "Déjeuner partagé",
            "Restitution et pistes d'action",
        ),
        description=(
            "Une journée de partage d'expériences entre pairs : des situations concrètes, "
            "des outils qui marchent, et un réseau pour continuer ensuite.\n\n"
            "**Deux places par structure** au plus, pour que chacun·e puisse participer."
        ),
        fill=fill,
    )


PROGRAMME: tuple[UpcomingEvent, ...] = (
    _instant(
        12,
        10,
        (
            "Les actualités du secteur de l'IAE",
            "Le Fonds d'Inclusion pour l'Emploi 2026",
            "Intervention de France Active : la nouvelle offre de services",
        ),
    ),
    _instant(75, 14, ("Les actualités du moment", "Focus : les achats responsables")),
    _instant(140, 10, ("Les actualités du moment", "Focus : la démarche Zest'")),
    _instant(205, 14, ("Les actualités de rentrée", "Focus : le collectif CAP RSE")),
    _atelier(
        19,
        "Accueillir et accompagner les salariés en situation de handicap",
        "La Bouillonnante",
        "12 rue des Arts, 31000 Toulouse",
        "31",
        fill=1.2,
    ),
    _atelier(
        54,
        "Prévenir les violences sexistes et sexuelles au travail",
        "Ouverture Gammes",
        "6 rue Saint-Barthélémy, 34000 Montpellier",
        "34",
        fill=0.6,
    ),
    _atelier(
        96,
        "Mesurer et valoriser son impact social",
        "Maison des associations",
        "Place du Foirail, 12000 Rodez",
        "12",
        fill=0.3,
    ),
    _atelier(
        131,
        "Fidéliser les encadrants techniques d'insertion",
        "Espace Clément Marot",
        "Place Bessières, 46000 Cahors",
        "46",
        fill=0.1,
    ),
    UpcomingEvent(
        kind=EventKind.FORMATION,
        title="Formation CIP : conduire l'entretien d'accompagnement",
        days_from_today=33,
        slots=(
            Slot(dt.time(9), dt.time(12, 30), "Jour 1 — matin"),
            Slot(dt.time(13, 30), dt.time(17), "Jour 1 — après-midi"),
            Slot(dt.time(9), dt.time(12, 30), "Jour 2 — matin", day=1),
            Slot(dt.time(13, 30), dt.time(17), "Jour 2 — après-midi", day=1),
        ),
        event_format=EventFormat.IN_PERSON,
        audience=Audience.MEMBERS,
        capacity=12,
        seats_per_structure=2,
        venue_name="Coorace Occitanie",
        venue_address="7 rue Hermès, 31520 Ramonville-Saint-Agne",
        department="31",
        programme=(
            "Le cadre de l'accompagnement socioprofessionnel en SIAE",
            "Préparer et conduire l'entretien : posture et outils",
            "Mises en situation filmées et analyse",
            "Formaliser le parcours et les suites",
        ),
        description=(
            "Deux journées (quatre demi-journées) pour les chargé·es d'insertion "
            "professionnelle. Émargement par demi-journée ; un certificat de réalisation "
            "est remis à l'issue de la formation pour votre OPCO."
        ),
        fill=0.8,
    ),
    UpcomingEvent(
        kind=EventKind.JOURNEE,
        title="Journée régionale de l'inclusion dans l'emploi",
        days_from_today=61,
        slots=(Slot(dt.time(9, 30), dt.time(17)),),
        event_format=EventFormat.HYBRID,
        audience=Audience.PUBLIC,
        capacity=120,
        seats_per_structure=None,
        venue_name="Domaine de Grammont",
        venue_address="Avenue Albert Einstein, 34000 Montpellier",
        department="34",
        programme=(
            "Ouverture par le président de Coorace Occitanie",
            "Table ronde : SIAE, EBE et entreprises, quelles coopérations ?",
            "Ateliers thématiques",
            "Clôture et perspectives 2027",
        ),
        description=(
            "La journée annuelle ouverte à tous les acteurs de l'inclusion en Occitanie : "
            "structures adhérentes, partenaires, collectivités et entreprises."
        ),
        fill=0.35,
    ),
)
