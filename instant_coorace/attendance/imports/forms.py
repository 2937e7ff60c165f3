"""The staff forms of a report import."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from instant_coorace.events.models import Event
from instant_coorace.formatting import french_time_range
from instant_coorace.forms import SiteForm

AUTOMATIC = 0


class ReportUploadForm(SiteForm):
    file = FileField(
        "Rapport de présence (fichier CSV exporté de Zoom, Teams ou Google Meet)",
        validators=[FileRequired("Choisissez le fichier du rapport.")],
    )
    session = SelectField("Session", coerce=int, default=AUTOMATIC)

    def offer_sessions(self, event: Event) -> None:
        self.session.choices = [(AUTOMATIC, "D'après les heures du rapport")] + [
            (number, f"Session {number} : {french_time_range(s.starts_at, s.ends_at)}")
            for number, s in enumerate(event.sessions, start=1)
        ]


class StagedReportForm(SiteForm):
    """Confirming a staged report, or a choice about one of its people."""

    token = HiddenField(validators=[DataRequired()])
    key = HiddenField()


class AttachForm(StagedReportForm):
    registration = SelectField("Rattacher à", coerce=int, validate_choice=False)
