"""Forms of the staff pages: logging in, choosing one's password, the team's accounts."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, EqualTo, Length

from instant_coorace import labels
from instant_coorace.addresses import email_field
from instant_coorace.forms import SiteForm
from instant_coorace.staff.models import StaffRole
from instant_coorace.staff.services import MIN_PASSWORD_LENGTH


class LoginForm(SiteForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")]
    )


class ChoosePasswordForm(SiteForm):
    current_password = PasswordField(
        "Mot de passe actuel",
        validators=[DataRequired("Indiquez votre mot de passe actuel.")],
    )
    new_password = PasswordField(
        "Nouveau mot de passe",
        validators=[
            DataRequired("Choisissez un nouveau mot de passe."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Le mot de passe doit compter de {MIN_PASSWORD_LENGTH} à 200 caractères.",
            ),
        ],
    )
    confirmation = PasswordField(
        "Nouveau mot de passe, une seconde fois",
        validators=[
            DataRequired("Saisissez le nouveau mot de passe une seconde fois."),
            EqualTo("new_password", "Les deux saisies ne sont pas identiques."),
        ],
    )


class AccountForm(SiteForm):
    """An admin opens an account for a colleague."""

    email = email_field()
    role = SelectField(
        "Rôle",
        choices=[SelectChoice(role.value, label) for role, label in labels.STAFF_ROLE.items()],
        default=StaffRole.TEAM.value,
    )
