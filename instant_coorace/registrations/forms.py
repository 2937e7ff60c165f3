"""Public forms: registering, handing one's seat to a colleague, and
correcting one's own details.

All ask who the person is; the structure comes from the directory, or is
« autre » with its name typed in.
"""

from __future__ import annotations

from markupsafe import Markup
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import Select

from instant_coorace.addresses import email_field
from instant_coorace.forms import SiteForm
from instant_coorace.inputs import database_id
from instant_coorace.members.directory import DepartmentGroup
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.services import Applicant, Details

OTHER_STRUCTURE = "autre"


# ``Markup % values`` escapes the values.
_OPTION = Markup('<option value="%s">%s</option>')
_SELECTED_OPTION = Markup('<option selected value="%s">%s</option>')


class DirectorySelect(Select):
    """WTForms' ``<select>``, each plain option written in one step, to the same
    HTML. The directory's hundred-odd structures made WTForms' option rendering
    (attributes gathered, sorted and escaped one by one) about 40 % of the
    registration page's CPU."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        html = _SELECTED_OPTION if choice.selected else _OPTION
        return html % (choice.value, choice.label or choice.value)


class PersonFields(SiteForm):
    """Who the person is: the fields every registration form starts with."""

    email = email_field()
    first_name = StringField(
        "Prénom",
        validators=[
            DataRequired("Indiquez le prénom."),
            Length(max=100, message="Le prénom est trop long (100 caractères au plus)."),
        ],
    )
    last_name = StringField(
        "Nom",
        validators=[
            DataRequired("Indiquez le nom."),
            Length(max=100, message="Le nom est trop long (100 caractères au plus)."),
        ],
    )


class ApplicantForm(PersonFields):
    """Who registers: what ``registrations.services.Applicant`` needs."""

    job_title = StringField(
        "Fonction",
        validators=[
            DataRequired("Indiquez la fonction (par exemple : chargée d'insertion)."),
            Length(max=150, message="La fonction est trop longue (150 caractères au plus)."),
        ],
    )
    # Only the chosen structure is looked up (by the service, in the directory):
    # the whole directory is loaded to show the list, not to accept a registration.
    structure = SelectField(
        "Structure",
        validators=[DataRequired("Choisissez la structure, ou « Autre structure ».")],
        validate_choice=False,
        widget=DirectorySelect(),
    )
    other_structure_name = StringField(
        "Nom de la structure (si « Autre structure »)",
        validators=[Length(max=200, message="Ce nom est trop long (200 caractères au plus).")],
    )
    needs = TextAreaField(
        "Besoins particuliers (facultatif)",
        validators=[
            Optional(),
            Length(max=2000, message="Ce texte est trop long (2 000 caractères au plus)."),
        ],
    )

    #: Whether « Autre structure » is offered (not where it would be refused).
    offers_other_structure = True

    def offer_structures(self, groups: list[DepartmentGroup], members_only: bool = False) -> None:
        """The directory's structures as the list's options, before rendering; for
        an event reserved to members, only theirs, without « Autre structure »."""
        self.offers_other_structure = not members_only
        self.structure.choices = structure_choices(groups, members_only)

    def validate_structure(self, field: SelectField) -> None:
        if field.data != OTHER_STRUCTURE and database_id(field.data) is None:
            raise ValidationError(
                "Cette structure n'est pas dans la liste : choisissez-en une autre."
            )

    def validate_other_structure_name(self, field: StringField) -> None:
        if self.structure.data == OTHER_STRUCTURE and not (field.data or "").strip():
            raise ValidationError("Indiquez le nom de la structure.")

    def to_applicant(self) -> Applicant:
        return Applicant(email=self.email.data, needs=self.needs.data or "", **self._who())

    def _who(self) -> dict[str, object]:
        """Name, job title and structure, as ``Applicant`` and ``Details`` take them."""
        chosen = self.structure.data
        return {
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "job_title": self.job_title.data,
            "structure_id": None if chosen == OTHER_STRUCTURE else int(chosen),
            "other_structure_name": self.other_structure_name.data
            if chosen == OTHER_STRUCTURE
            else "",
        }


class DetailsForm(ApplicantForm):
    """« Modifier mes informations »: who the registrant is, without the address
    (handing the seat over changes it) or the needs of one event."""

    email = None
    needs = None

    @classmethod
    def of(cls, registration: Registration) -> DetailsForm:
        """The form, filled in with what this registration holds (unless submitted)."""
        return cls(
            data={
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "job_title": registration.job_title,
                "structure": str(registration.structure_id or OTHER_STRUCTURE),
                "other_structure_name": registration.structure_name,
            }
        )

    def to_details(self) -> Details:
        return Details(**self._who())


class ConfirmForm(SiteForm):
    """A button that changes something: only the CSRF token travels."""


def structure_choices(
    groups: list[DepartmentGroup], members_only: bool = False
) -> list[SelectChoice]:
    """A placeholder, one ``<optgroup>`` per department, then « Autre structure »
    (members only: member structures, and no « Autre structure »)."""
    choices = [SelectChoice("", "Choisissez dans la liste")]
    for group in groups:
        choices.extend(
            SelectChoice(
                str(structure.id),
                structure.name if structure.is_member else f"{structure.name} (partenaire)",
                optgroup=group.label,
            )
            for structure in group.structures
            if structure.is_member or not members_only
        )
    if not members_only:
        choices.append(SelectChoice(OTHER_STRUCTURE, "Autre structure (absente de la liste)"))
    return choices
