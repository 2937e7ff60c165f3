"""The form with which the team writes to an event's registrants."""

from __future__ import annotations

import secrets

from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from instant_coorace.choices import labelled
from instant_coorace.forms import SiteForm
from instant_coorace.registrations.messaging import Recipients

RECIPIENT_LABELS = {
    Recipients.ALL: "Toutes les personnes inscrites et en liste d'attente",
    Recipients.CONFIRMED: "Les personnes inscrites",
    Recipients.WAITLISTED: "La liste d'attente",
}


class RegistrantMessageForm(SiteForm):
    recipients = RadioField(
        "Destinataires",
        choices=labelled(RECIPIENT_LABELS),
        default=Recipients.ALL.value,
        validators=[InputRequired("Choisissez les destinataires.")],
    )
    subject = StringField(
        "Objet",
        validators=[
            InputRequired("Indiquez l'objet du message."),
            Length(max=200, message="L'objet ne peut pas dépasser 200 caractères."),
        ],
    )
    body = TextAreaField(
        "Message",
        description="Mise en forme Markdown possible (**gras**, listes, liens).",
        validators=[
            InputRequired("Écrivez le message."),
            Length(max=20000, message="Le message est trop long (20 000 caractères au plus)."),
        ],
    )
    #: Identifies one sending: submitting the same form twice sends it once.
    send_key = HiddenField(default=lambda: secrets.token_hex(8))

    def validate_send_key(self, field) -> None:
        if not (field.data or "").isalnum() or len(field.data) > 32:
            raise ValidationError("Rechargez la page et réessayez.")

    @property
    def chosen(self) -> Recipients:
        return Recipients(self.recipients.data)
