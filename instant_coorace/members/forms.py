"""Back-office forms of the member directory."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from instant_coorace.choices import choices, departments, labelled
from instant_coorace.forms import PlainForm, SiteForm
from instant_coorace.labels import DEPARTMENTS, MEMBERSHIP
from instant_coorace.members import fields
from instant_coorace.members.models import Membership, StructureKind
from instant_coorace.members.services import DirectoryFilters, StructureFields

MAX_IMPORT_SIZE = 1024 * 1024
TOO_LARGE = "Le fichier dépasse la taille autorisée (1 Mo)."
KIND_PAIRS = [(kind.value, kind.value) for kind in StructureKind]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _normalised_by(normalise):
    """A validator storing the normalised value, or showing the rule's French message."""

    def validate(form, field) -> None:
        try:
            field.data = normalise(field.data or "")
        except fields.InvalidValue as error:
            raise ValidationError(error.message) from error

    return validate


class StructureForm(SiteForm):
    name = StringField(
        "Nom de la structure",
        validators=[DataRequired("Indiquez le nom de la structure."), Length(max=200)],
        filters=[lambda value: fields.collapse_spaces(value or "")],
    )
    membership = SelectField(
        "Adhésion",
        choices=labelled(MEMBERSHIP),
        default=Membership.MEMBER.value,
    )
    kinds = CheckboxesField("Types", choices=choices(KIND_PAIRS))
    department = SelectField("Département", choices=departments(blank="— non renseigné —"))
    address = StringField("Adresse", validators=[Length(max=300)])
    postcode = StringField("Code postal", validators=[_normalised_by(fields.normalise_postcode)])
    city = StringField("Ville", validators=[Length(max=120)])
    phone = StringField("Téléphone", validators=[_normalised_by(fields.normalise_phone)])
    email = StringField("Email", validators=[_normalised_by(fields.normalise_email)])
    notes = TextAreaField("Remarques")

    def __init__(self, *args, current_department: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        options = departments(blank="— non renseigné —")
        if current_department and current_department not in DEPARTMENTS:
            options.append(SelectChoice(current_department, current_department))
        self.department.choices = options

    def to_fields(self) -> StructureFields:
        return StructureFields(
            name=self.name.data,
            membership=Membership(self.membership.data),
            kinds=tuple(StructureKind(kind) for kind in self.kinds.data or []),
            department=self.department.data,
            address=fields.collapse_spaces(self.address.data or ""),
            postcode=self.postcode.data,
            city=fields.collapse_spaces(self.city.data or ""),
            phone=self.phone.data,
            email=self.email.data,
            notes=(self.notes.data or "").strip(),
        )


class DirectoryFilterForm(PlainForm):
    """The list's search and filters, read from the query string."""

    q = StringField("Rechercher (nom, ville, email)")
    departement = SelectField("Département", choices=departments(blank="Tous"))
    type = SelectField("Type", choices=choices(KIND_PAIRS, blank="Tous"))
    adhesion = SelectField(
        "Adhésion",
        choices=labelled(MEMBERSHIP, blank="Toutes"),
    )
    statut = SelectField(
        "Statut",
        choices=choices([("actives", "Actives"), ("inactives", "Désactivées")], blank="Toutes"),
    )

    def to_filters(self) -> DirectoryFilters:
        """Unknown values in the address are ignored rather than refused."""
        kind = _chosen(self.type)
        membership = _chosen(self.adhesion)
        return DirectoryFilters(
            text=(self.q.data or "").strip()[:100],
            department=_chosen(self.departement),
            kind=StructureKind(kind) if kind else None,
            membership=Membership(membership) if membership else None,
            active={"actives": True, "inactives": False}.get(_chosen(self.statut)),
        )

    def query_args(self) -> dict[str, str]:
        """The filters in use, to carry from page to page."""
        args = {"q": (self.q.data or "").strip()[:100]}
        for field in (self.departement, self.type, self.adhesion, self.statut):
            args[field.name] = _chosen(field)
        return {name: value for name, value in args.items() if value}


def _chosen(field: SelectField) -> str:
    """The field's value if it is one of its choices, else « no filter »."""
    return field.data if field.data in {choice.value for choice in field.choices} else ""


class ImportUploadForm(SiteForm):
    file = FileField(
        "Fichier CSV de l'annuaire",
        validators=[
            FileRequired("Choisissez un fichier CSV."),
            FileAllowed(["csv"], "Le fichier doit être au format CSV (.csv)."),
            FileSize(MAX_IMPORT_SIZE, message=TOO_LARGE),
        ],
    )

    def error_status(self) -> int:
        """413 for a file over the size limit, 422 for any other refusal."""
        return 413 if TOO_LARGE in self.file.errors else 422


class ImportConfirmForm(SiteForm):
    token = HiddenField(validators=[DataRequired()])
