"""The team's campaign forms: choosing the audience, writing the mail, and the
personal registration form an invitation opens."""

from __future__ import annotations

import re
import secrets

from email_validator import EmailNotValidError, validate_email
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from instant_coorace.choices import choices, labelled
from instant_coorace.forms import RELOAD, SiteForm
from instant_coorace.inputs import LINE_BREAK_IN_TEXT
from instant_coorace.invitations import placeholders
from instant_coorace.invitations.audience import Selection
from instant_coorace.labels import DEPARTMENTS, MEMBERSHIP
from instant_coorace.members.forms import KIND_PAIRS, CheckboxesField
from instant_coorace.members.models import Membership, StructureKind

MAX_PASTED = 5000
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """``(valid, invalid)`` addresses of a pasted list (one a line, or separated
    by commas or semicolons); « Nom <adresse> » is read as the address."""
    text = re.sub(r"[^<>,;\n]*<([^<>]*)>", r" \1 ", text or "")
    valid, invalid = [], []
    for word in _SEPARATORS.split(text):
        if not word:
            continue
        try:
            validate_email(word, check_deliverability=False)
        except EmailNotValidError:
            invalid.append(word)
        else:
            if word.lower() not in valid:
                valid.append(word.lower())
    return valid, invalid


class CampaignForm(SiteForm):
    kinds = CheckboxesField("Type de structure", choices=choices(KIND_PAIRS))
    departments = CheckboxesField("Département")
    memberships = CheckboxesField("Adhésion", choices=labelled(MEMBERSHIP))
    followers = BooleanField("Les abonné·es de la série de l'événement")
    registered_to = CheckboxesField("Inscrit·es à")
    present_at = CheckboxesField("Présent·es à")
    pasted = TextAreaField(
        "Adresses collées",
        description="Une adresse par ligne, ou séparées par des virgules ou des points-virgules.",
        validators=[Length(max=400_000, message="La liste est trop longue.")],
    )
    subject = StringField(
        "Objet",
        validators=[
            InputRequired("Indiquez l'objet de l'invitation."),
            Length(max=200, message="L'objet ne peut pas dépasser 200 caractères."),
        ],
    )
    body = TextAreaField(
        "Message",
        validators=[
            InputRequired("Écrivez le message."),
            Length(max=20000, message="Le message est trop long (20 000 caractères au plus)."),
        ],
    )
    preview_for = SelectField("Aperçu pour", validate_choice=False)
    #: Identifies one sending: pressing « Envoyer » twice sends one campaign.
    send_key = HiddenField(default=lambda: secrets.token_hex(16))

    def offer(self, departments: list[str], past_events: list[tuple[int, str]]) -> None:
        """The options known only at request time (the directory's departments, past events)."""
        self.departments.choices = choices(
            (code, f"{code} – {DEPARTMENTS.get(code, code)}") for code in departments
        )
        self.registered_to.choices = choices(past_events)
        self.present_at.choices = choices(past_events)

    def validate_subject(self, field) -> None:
        # The input rule folds line breaks into spaces: a subject typed on two
        # lines is refused rather than silently joined.
        if any(LINE_BREAK_IN_TEXT.search(raw or "") for raw in field.raw_data or ()):
            raise ValidationError("L'objet doit tenir sur une seule ligne.")
        try:
            placeholders.check(field.data or "", allow_link=False)
        except placeholders.PlaceholderError as error:
            raise ValidationError(str(error)) from None

    def validate_body(self, field) -> None:
        try:
            placeholders.check(field.data or "")
        except placeholders.PlaceholderError as error:
            raise ValidationError(str(error)) from None

    def validate_pasted(self, field) -> None:
        valid, invalid = parse_addresses(field.data or "")
        if invalid:
            shown = ", ".join(invalid[:20]) + (" …" if len(invalid) > 20 else "")
            raise ValidationError(
                f"{len(invalid)} adresse{'s' if len(invalid) > 1 else ''} non "
                f"valide{'s' if len(invalid) > 1 else ''} : {shown}. Corrigez-les ; "
                "rien n'a été envoyé."
            )
        if len(valid) > MAX_PASTED:
            raise ValidationError(f"Au plus {MAX_PASTED} adresses collées à la fois.")

    def validate_send_key(self, field) -> None:
        if not (field.data or "").isalnum() or len(field.data) > 32:
            raise ValidationError(RELOAD)

    def validate_departments(self, field) -> None:
        self._known(field)

    def validate_registered_to(self, field) -> None:
        self._known(field)

    def validate_present_at(self, field) -> None:
        self._known(field)

    def _known(self, field) -> None:
        offered = {choice.value for choice in field.choices or ()}
        if any(value not in offered for value in field.data or ()):
            raise ValidationError("Choix inconnu : rechargez la page.")

    def selection(self, with_followers: bool) -> Selection:
        return Selection(
            kinds=tuple(StructureKind(kind) for kind in self.kinds.data or ()),
            departments=tuple(self.departments.data or ()),
            memberships=tuple(Membership(value) for value in self.memberships.data or ()),
            followers=with_followers and bool(self.followers.data),
            registered_to=tuple(int(value) for value in self.registered_to.data or ()),
            present_at=tuple(int(value) for value in self.present_at.data or ()),
            pasted=tuple(parse_addresses(self.pasted.data or "")[0]),
        )

    def describe(self, past_events: dict[str, str]) -> str:
        """The selection in the team's words, kept with the campaign."""
        parts = []
        if self.kinds.data:
            parts.append("types " + ", ".join(self.kinds.data))
        if self.departments.data:
            parts.append("départements " + ", ".join(self.departments.data))
        if self.memberships.data:
            parts += [MEMBERSHIP[Membership(value)].lower() for value in self.memberships.data]
        if self.followers.data:
            parts.append("abonné·es de la série")
        for field in (self.registered_to, self.present_at):
            if field.data:
                names = ", ".join(past_events.get(value, value) for value in field.data)
                parts.append(f"{field.label.text.lower()} {names}")
        if self.pasted.data and self.pasted.data.strip():
            parts.append(f"{len(parse_addresses(self.pasted.data)[0])} adresses collées")
        return " ; ".join(parts)


class ConfirmForm(SiteForm):
    """A button, with its CSRF token (« Relancer »)."""
