"""Back-office forms of the offre modulaire: a support, a theme, the period of
the figures."""

from __future__ import annotations

import datetime as dt

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from instant_coorace.choices import choices, labelled
from instant_coorace.forms import PlainForm, SiteForm
from instant_coorace.inputs import database_id
from instant_coorace.support import durations
from instant_coorace.support.durations import UNIT_LABELS, DurationUnit
from instant_coorace.support.services import SupportFields


def _id(value: object) -> int | None:
    """A select's value as a row id; anything else is « none chosen »."""
    return database_id(value) if isinstance(value, str) else value


class SupportForm(SiteForm):
    structure_id = SelectField(
        "Structure accompagnée",
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired("Choisissez la structure accompagnée.")],
    )
    given_on = DateField("Date", validators=[DataRequired("Indiquez la date de l'accompagnement.")])
    duration = StringField("Durée", validators=[DataRequired("Indiquez la durée."), Length(max=10)])
    unit = SelectField("Unité", choices=labelled(UNIT_LABELS), default=DurationUnit.HALF_DAYS.value)
    theme_id = SelectField(
        "Thématique",
        coerce=_id,
        validate_choice=False,
        validators=[DataRequired("Choisissez la thématique.")],
    )
    staff_user_id = SelectField("Donné par", coerce=_id, validate_choice=False)
    note = TextAreaField("Note", validators=[Length(max=5000)])
    confirm_over_allowance = BooleanField(
        "Je confirme cet accompagnement au-delà des jours de l'offre modulaire de l'année"
    )

    def __init__(self, *args, structures, themes, staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.structure_id.choices = choices(structures, blank="— choisir —")
        self.theme_id.choices = choices(themes, blank="— choisir —")
        self.staff_user_id.choices = choices(staff, blank="— non précisé —")
        self.eligible_ids = {structure_id for structure_id, _ in structures}
        self.minutes = None

    def validate_duration(self, field) -> None:
        unit = self.unit.data if self.unit.data in set(DurationUnit) else DurationUnit.HALF_DAYS
        try:
            self.minutes = durations.to_minutes(field.data or "", DurationUnit(unit))
        except durations.InvalidDuration as error:
            raise ValidationError(error.message) from error

    def to_fields(self) -> SupportFields:
        return SupportFields(
            structure_id=self.structure_id.data,
            given_on=self.given_on.data,
            minutes=self.minutes,
            theme_id=self.theme_id.data,
            staff_user_id=self.staff_user_id.data,
            note=(self.note.data or "").strip(),
            confirm_over_allowance=bool(self.confirm_over_allowance.data),
        )


class ThemeForm(SiteForm):
    name = StringField(
        "Nom de la thématique",
        validators=[DataRequired("Indiquez le nom de la thématique."), Length(max=100)],
    )


class YearForm(PlainForm):
    """The year of the list of supports, from the query string."""

    annee = SelectField("Année", coerce=str, validate_choice=False)

    def __init__(self, *args, years: list[int], current: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offered = sorted({*years, current}, reverse=True)
        self.annee.choices = choices((year, str(year)) for year in offered)
        self.offered = offered
        self.current = current

    def year(self) -> int:
        """The chosen year, or the current one for anything not offered."""
        text = self.annee.data or ""
        return int(text) if text.isdigit() and int(text) in self.offered else self.current


class PeriodForm(PlainForm):
    """« Du … au … » of the figures; a calendar year when both are left empty."""

    du = DateField("Du", validators=[Optional()])
    au = DateField("Au", validators=[Optional()])

    def period(self, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """The period asked for, or ``None`` when the form shows an error."""
        if not self.validate():
            return None
        start = self.du.data or dt.date((self.au.data or today).year, 1, 1)
        end = self.au.data or dt.date(start.year, 12, 31)
        if end < start:
            self.au.errors.append("La date de fin doit suivre la date de début.")
            return None
        self.du.data, self.au.data = start, end
        return start, end
