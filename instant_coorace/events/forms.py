"""The event form of the back office, with its repeatable sessions and programme rows.

Rows are added and removed by submitting the form with an ``action`` (no
JavaScript needed); a row left entirely empty is ignored.
"""

from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from instant_coorace.choices import choices, departments, labelled
from instant_coorace.events.drafts import EventDraft, ProgrammeDraft, SessionDraft
from instant_coorace.events.models import Audience, Event, EventFormat, EventKind, Series
from instant_coorace.events.services import is_web_url
from instant_coorace.formatting import to_paris
from instant_coorace.forms import HiddenIdField, PlainForm, SiteForm
from instant_coorace.labels import AUDIENCE, EVENT_FORMAT, EVENT_KIND

SAVE = "enregistrer"
ADD_SESSION = "ajouter-session"
ADD_PROGRAMME_ITEM = "ajouter-point"
REMOVE_PREFIX = "retirer-"
"""``retirer-sessions-2`` removes the third session row."""


class _RowForm(PlainForm):
    def is_empty(self) -> bool:
        """Whether the person left every visible field blank (hidden ids don't count)."""
        return all(
            field.data is None or (isinstance(field.data, str) and not field.data.strip())
            for field in self
            if not isinstance(field.widget, HiddenInput)
        )


class SessionForm(_RowForm):
    day = DateField("Date", validators=[Optional()])
    starts = TimeField("Début", validators=[Optional()])
    ends = TimeField("Fin", validators=[Optional()])
    label = StringField("Libellé", validators=[Length(max=150)])
    session_id = HiddenIdField("Session")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.is_empty():
            return True
        for field, message in (
            (self.day, "Indiquez la date."),
            (self.starts, "Indiquez l'heure de début."),
            (self.ends, "Indiquez l'heure de fin."),
        ):
            if field.data is None:
                field.errors.append(message)
        if self.starts.data and self.ends.data and self.ends.data <= self.starts.data:
            self.ends.errors.append("L'heure de fin doit être après l'heure de début.")
        return not any(field.errors for field in self)


class ProgrammeItemForm(_RowForm):
    time_label = StringField("Horaire", validators=[Length(max=50)])
    title = StringField("Intitulé", validators=[Length(max=300)])
    details = TextAreaField("Détails")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.is_empty() and not _text(self.title):
            self.title.errors.append("Indiquez l'intitulé de ce point.")
            return False
        return True


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _text(field) -> str:
    return (field.data or "").strip()


class EventForm(SiteForm):
    kind = SelectField("Type d'événement", choices=labelled(EVENT_KIND))
    series_id = SelectField("Série", choices=[], validate_choice=True)
    new_series_name = StringField("Ou nouvelle série", validators=[Length(max=150)])
    title = StringField(
        "Titre",
        validators=[DataRequired("Indiquez un titre."), Length(max=200)],
    )
    slug = StringField("Adresse de la page (slug)", validators=[Length(max=200)])
    description = TextAreaField("Description (Markdown)")
    audience = SelectField("Public", choices=labelled(AUDIENCE))
    format = SelectField("Format", choices=labelled(EVENT_FORMAT))
    venue_name = StringField("Lieu", validators=[Length(max=200)])
    venue_address = StringField("Adresse du lieu", validators=[Length(max=300)])
    department = SelectField(
        "Département",
        choices=departments(blank="— (aucun, visio)"),
    )
    visio_url = URLField("Lien de visio", validators=[Length(max=500)])
    trainers = StringField("Formateur·rice(s)", validators=[Length(max=300)])
    capacity = IntegerField(
        "Nombre de places",
        validators=[Optional(), NumberRange(min=1, message="Au moins 1 place.")],
    )
    seats_per_structure = IntegerField(
        "Places par structure",
        validators=[Optional(), NumberRange(min=1, message="Au moins 1 place par structure.")],
    )
    registration_opens = DateTimeLocalField(
        "Ouverture des inscriptions", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes = DateTimeLocalField(
        "Clôture des inscriptions", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    sessions = FieldList(FormField(SessionForm), "Sessions", min_entries=1)
    programme = FieldList(FormField(ProgrammeItemForm), "Programme", min_entries=1)
    #: How the error summary names a row: « Session 2, fin : … ».
    row_names = {"sessions": "Session", "programme": "Point"}

    def __init__(self, *args, series: list[Series] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.series_id.choices = choices(((s.id, s.name) for s in series), blank="Aucune")

    def validate_visio_url(self, field) -> None:
        url = _text(field)
        if url and not is_web_url(url):
            raise ValidationError("Le lien doit commencer par http:// ou https://.")
        if not url and self.format.data == EventFormat.ONLINE.value:
            raise ValidationError("Un événement en visio a besoin de son lien de connexion.")

    def validate_registration_closes(self, field) -> None:
        opens = self.registration_opens.data
        if field.data and opens and field.data <= opens:
            raise ValidationError("La clôture doit être après l'ouverture des inscriptions.")

    def validate_sessions(self, field) -> None:
        if all(entry.form.is_empty() for entry in field):
            raise ValidationError("Ajoutez au moins une session (date, début et fin).")

    def add_error(self, field_name: str | None, message: str) -> None:
        """Attach a service's refusal to the field it concerns (or to the title)."""
        field = self._fields.get(field_name) or self.title
        field.errors = [*field.errors, message]

    def to_draft(self) -> EventDraft:
        """The validated form as plain values for ``events.services``."""
        return EventDraft(
            kind=EventKind(self.kind.data),
            series_id=_optional_int(self.series_id.data),
            new_series_name=_text(self.new_series_name),
            title=_text(self.title),
            slug=_text(self.slug),
            description=_text(self.description),
            audience=Audience(self.audience.data),
            format=EventFormat(self.format.data),
            venue_name=_text(self.venue_name),
            venue_address=_text(self.venue_address),
            department=self.department.data,
            visio_url=_text(self.visio_url),
            trainers=_text(self.trainers),
            capacity=self.capacity.data,
            seats_per_structure=self.seats_per_structure.data,
            registration_opens=self.registration_opens.data,
            registration_closes=self.registration_closes.data,
            sessions=tuple(
                SessionDraft(
                    day=row.day.data,
                    starts=row.starts.data,
                    ends=row.ends.data,
                    label=_text(row.label),
                    session_id=row.session_id.data,
                )
                for row in (entry.form for entry in self.sessions)
                if not row.is_empty()
            ),
            programme=tuple(
                ProgrammeDraft(
                    time_label=_text(row.time_label),
                    title=_text(row.title),
                    details=_text(row.details),
                )
                for row in (entry.form for entry in self.programme)
                if not row.is_empty()
            ),
        )


def form_data(event: Event) -> dict:
    """An event as the form's initial data, times back in Paris wall clock."""

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return None if moment is None else to_paris(moment).replace(tzinfo=None)

    return {
        "kind": event.kind.value,
        "series_id": str(event.series_id) if event.series_id else "",
        "title": event.title,
        "slug": event.slug,
        "description": event.description,
        "audience": event.audience.value,
        "format": event.format.value,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "department": event.department,
        "visio_url": event.visio_url,
        "trainers": event.trainers,
        "capacity": event.capacity,
        "seats_per_structure": event.seats_per_structure,
        "registration_opens": local(event.registration_opens_at),
        "registration_closes": local(event.registration_closes_at),
        "sessions": [
            {
                "day": local(s.starts_at).date(),
                "starts": local(s.starts_at).time(),
                "ends": local(s.ends_at).time(),
                "label": s.label,
                "session_id": s.id,
            }
            for s in event.sessions
        ],
        "programme": [
            {"time_label": p.time_label, "title": p.title, "details": p.details}
            for p in event.programme
        ]
        or [{}],
    }


def row_action(action: str) -> tuple[str, int | None]:
    """Split a submitted ``action`` into (list name, row to remove)."""
    if action.startswith(REMOVE_PREFIX):
        name, _, index = action.removeprefix(REMOVE_PREFIX).rpartition("-")
        if name in ("sessions", "programme") and index.isascii() and index.isdigit():
            return name, int(index)
    return action, None


def without_row(formdata: MultiDict, list_name: str, index: int) -> MultiDict:
    """The submitted data minus one row of ``list_name``."""
    prefix = f"{list_name}-{index}-"
    return MultiDict([(k, v) for k, v in formdata.items(multi=True) if not k.startswith(prefix)])
