"""Forms of the team's registrant pages: filtering the list, adding someone by hand."""

from __future__ import annotations

from wtforms import (
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from instant_coorace import labels
from instant_coorace.forms import SiteForm
from instant_coorace.registrations.forms import DirectorySelect, PersonFields
from instant_coorace.registrations.models import RegistrationStatus
from instant_coorace.registrations.roster import RosterFilter
from instant_coorace.registrations.services import Applicant

OTHER_STRUCTURE = ""


def _optional_int(value: object) -> int | None:
    """Select values arrive as text; anything that is not a number means « none »."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _optional_status(value: object) -> RegistrationStatus | None:
    try:
        return RegistrationStatus(value) if value else None
    except ValueError:
        return None


class RosterFilterForm(SiteForm):
    """The GET form above the list; read from the query string, without CSRF."""

    class Meta:
        csrf = False

    statut = SelectField(
        "Statut",
        choices=[SelectChoice("", "Tous les statuts")]
        + [
            SelectChoice(status.value, label)
            for status, label in labels.REGISTRATION_STATUS.items()
        ],
        coerce=_optional_status,
        validate_choice=False,
    )
    q = SearchField(
        "Rechercher",
        validators=[Optional(), Length(max=100, message="100 caractères au plus.")],
        description="Nom, e-mail ou structure",
    )

    def to_filter(self) -> RosterFilter:
        if not self.validate():
            return RosterFilter()
        return RosterFilter(status=self.statut.data, search=self.q.data or "")

    def query_args(self) -> dict[str, str]:
        """The active filters, to carry through links and redirects."""
        roster_filter = self.to_filter()
        args = {}
        if roster_filter.status is not None:
            args["statut"] = roster_filter.status.value
        if roster_filter.search.strip():
            args["q"] = roster_filter.search.strip()
        return args


class StaffRegistrationForm(PersonFields):
    """A registrant added by the team, for instance after a phone call."""

    structure_id = SelectField(
        "Structure de l'annuaire",
        coerce=_optional_int,
        validate_choice=False,
        widget=DirectorySelect(),
    )
    other_structure_name = StringField(
        "Autre structure",
        validators=[Length(max=200, message="200 caractères au plus.")],
        render_kw={"autocomplete": "off"},
    )
    job_title = StringField(
        "Fonction",
        validators=[Length(max=150, message="150 caractères au plus.")],
        render_kw={"autocomplete": "off"},
    )
    needs = TextAreaField(
        "Besoins particuliers",
        validators=[Length(max=2000, message="2 000 caractères au plus.")],
    )

    def __init__(self, structure_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        for field in (self.email, self.first_name, self.last_name):
            # Someone else's details: the browser must not offer the team's own.
            field.render_kw = {"autocomplete": "off"}
        self._structure_ids = {structure_id for structure_id, _ in structure_choices}
        self.structure_id.choices = [
            SelectChoice(OTHER_STRUCTURE, "— Structure absente de l'annuaire —"),
            *(SelectChoice(structure_id, name) for structure_id, name in structure_choices),
        ]

    def validate_structure_id(self, field: SelectField) -> None:
        if field.data is not None and field.data not in self._structure_ids:
            raise ValidationError("Choisissez une structure de la liste.")
        other = (self.other_structure_name.data or "").strip()
        if field.data is None and not other:
            raise ValidationError(
                "Choisissez une structure de l'annuaire ou indiquez le nom d'une autre structure."
            )
        if field.data is not None and other:
            raise ValidationError(
                "Choisissez une structure de l'annuaire ou une autre structure, pas les deux."
            )

    def to_applicant(self) -> Applicant:
        return Applicant(
            email=self.email.data,
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            job_title=self.job_title.data or "",
            structure_id=self.structure_id.data,
            other_structure_name=self.other_structure_name.data or "",
            needs=self.needs.data or "",
        )
