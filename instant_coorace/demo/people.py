"""Plausible staff of member structures, all on example.org addresses."""

from __future__ import annotations

import dataclasses
import random
import unicodedata

FIRST_NAMES = (
    "Camille", "Nadia", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Fatima", "Lucas",
    "Marion", "Yannick", "Inès", "Pierre", "Chloé", "Mehdi", "Aurélie", "Nicolas", "Léa",
    "Sandrine", "Hugo", "Amandine", "Rachid", "Céline", "Mathieu", "Émilie", "Bruno",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Lambert",
    "Fabre", "Mercier", "Rousseau", "Blanc", "Guerin", "Faure", "Andre", "Benali", "Castel",
    "Delmas", "Escudié", "Puech", "Vidal", "Marty", "Ferrer", "Bousquet", "Cabanes",
)  # fmt: skip
JOB_TITLES = (
    "Directeur·rice", "Chargé·e d'insertion professionnelle", "Encadrant·e technique",
    "Accompagnateur·rice socioprofessionnel·le", "Responsable RH", "Assistant·e de direction",
    "Coordinateur·rice", "Chargé·e de développement",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    job_title: str

    @property
    def email(self) -> str:
        local = f"{self.first_name}.{self.last_name}".lower().replace(" ", "-")
        ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
        return f"{ascii_local}@example.org"


def staff_of_structures(
    structure_ids: list[int], rng: random.Random
) -> dict[int, list[DemoPerson]]:
    """Two to four distinct people per structure, no email used twice."""
    used: set[str] = set()
    staff: dict[int, list[DemoPerson]] = {}
    for structure_id in structure_ids:
        people: list[DemoPerson] = []
        wanted = rng.randint(2, 4)
        while len(people) < wanted:
            person = DemoPerson(
                rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(JOB_TITLES)
            )
            if person.email not in used:
                used.add(person.email)
                people.append(person)
        staff[structure_id] = people
    return staff
