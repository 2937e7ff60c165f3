"""Forms of the on-screen émargement: the drawn signature, the team's absence."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from instant_coorace.attendance.models import AttendanceStatus
from instant_coorace.choices import choices
from instant_coorace.forms import HiddenIdField, SiteForm


class SignatureForm(SiteForm):
    #: The canvas as a PNG data URL, filled in by ``static/signature-pad.js``.
    signature = HiddenField("Signature")


class AbsenceForm(SiteForm):
    status = RadioField(
        "Ce jour-là, la personne est",
        choices=choices(
            [
                (AttendanceStatus.ABSENT.value, "Absente"),
                (AttendanceStatus.EXCUSED.value, "Excusée (absence justifiée)"),
            ]
        ),
        validators=[InputRequired("Choisissez « absente » ou « excusée ».")],
    )
    reason = StringField("Motif", validators=[Length(max=300)])

    @property
    def chosen_status(self) -> AttendanceStatus:
        return AttendanceStatus(self.status.data)


class CertificateMailForm(SiteForm):
    """Send one registrant's certificate, or everyone's when no id is given."""

    registration_id = HiddenIdField(validators=[Optional()])
