"""The team's form for an event's reminders and follow-up."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, TextAreaField, URLField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from instant_coorace.events.services import is_web_url
from instant_coorace.forms import SiteForm
from instant_coorace.reminders.models import MAX_FOLLOW_UP_DELAY_HOURS
from instant_coorace.reminders.services import PlanValues


def _web_address(form, field) -> None:
    if field.data and not is_web_url(field.data):
        raise ValidationError("Indiquez une adresse web complète, commençant par https://.")


def _url_field(label: str) -> URLField:
    return URLField(
        label,
        validators=[
            Optional(),
            Length(max=500, message="L'adresse ne peut pas dépasser 500 caractères."),
            _web_address,
        ],
    )


class ReminderPlanForm(SiteForm):
    week_before = BooleanField("J-7 : une semaine avant, à la même heure")
    day_before = BooleanField("J-1 : la veille, à la même heure")
    hour_before = BooleanField("H-1 : une heure avant")
    access_info = TextAreaField(
        "Accès au lieu",
        description="Repris dans les rappels d'un événement sur place : transports, "
        "stationnement, étage, code d'entrée.",
        validators=[Length(max=2000, message="2 000 caractères au plus.")],
    )
    follow_up_enabled = BooleanField("Envoyer un message de suivi après l'événement")
    follow_up_message = TextAreaField(
        "Message de remerciement",
        description="Mise en forme Markdown possible. Vide : un remerciement court.",
        validators=[Length(max=10000, message="10 000 caractères au plus.")],
    )
    replay_url = _url_field("Lien des supports ou du replay")
    survey_url = _url_field("Lien du questionnaire de satisfaction")
    follow_up_delay_hours = IntegerField(
        "Délai après la fin, en heures",
        description="Vide : le jour ouvré suivant à 9 h.",
        validators=[
            Optional(),
            NumberRange(
                1,
                MAX_FOLLOW_UP_DELAY_HOURS,
                message=f"Un nombre d'heures entre 1 et {MAX_FOLLOW_UP_DELAY_HOURS}.",
            ),
        ],
    )

    def values(self) -> PlanValues:
        return PlanValues(
            week_before=self.week_before.data,
            day_before=self.day_before.data,
            hour_before=self.hour_before.data,
            access_info=self.access_info.data or "",
            follow_up_enabled=self.follow_up_enabled.data,
            follow_up_message=self.follow_up_message.data or "",
            replay_url=self.replay_url.data or "",
            survey_url=self.survey_url.data or "",
            follow_up_delay_hours=self.follow_up_delay_hours.data,
        )
