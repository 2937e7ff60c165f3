"""The team's form to mark someone « absent » or « excusé » at a session."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from instant_coorace.attendance.models import AttendanceStatus
from instant_coorace.attendance.overview import MARKABLE
from instant_coorace.attendance.status_labels import STATUS
from instant_coorace.forms import SiteForm


class MarkAbsenceForm(SiteForm):
    status = RadioField(
        "Présence",
        choices=[SelectChoice(status.value, STATUS[status]) for status in MARKABLE],
        validators=[DataRequired("Choisissez « Absent·e » ou « Excusé·e ».")],
    )
    reason = StringField(
        "Motif",
        validators=[Length(max=300, message="300 caractères au plus.")],
        render_kw={"autocomplete": "off"},
    )

    def validate_reason(self, field: StringField) -> None:
        if self.status.data == AttendanceStatus.EXCUSED.value and not (field.data or "").strip():
            raise ValidationError("Indiquez le motif de l'absence excusée.")

    def chosen_status(self) -> AttendanceStatus:
        return AttendanceStatus(self.status.data)
