"""The pages an invitation leads to: the registration form its personal link
opens pre-filled, and the one-click unsubscribe page (RFC 8058)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from instant_coorace.database import utcnow
from instant_coorace.errors import render_error
from instant_coorace.events import catalogue
from instant_coorace.events.models import Audience
from instant_coorace.extensions import csrf, limiter
from instant_coorace.invitations import campaigns, unsubscribe
from instant_coorace.invitations.models import CampaignRecipient
from instant_coorace.invitations.tokens import recipient_by_token
from instant_coorace.members.directory import structures_for_picker
from instant_coorace.registrations import errors, services
from instant_coorace.registrations.forms import OTHER_STRUCTURE, ApplicantForm
from instant_coorace.registrations.models import RegistrationSource
from instant_coorace.registrations.views import (
    REFUSAL_TITLES,
    STRUCTURE_ERRORS,
    registration_rate_limit,
    remember_receipt,
)
from instant_coorace.registrations.window import availability

blueprint = Blueprint("invitations", __name__)

LINK_INVALID = (
    "Ce lien n'est pas valide, ou plus valable. Rien n'a été modifié. "
    "Vous pouvez retrouver nos événements sur la page d'accueil."
)


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(registration_rate_limit, methods=["POST"])
def invited(token: str):
    recipient = recipient_by_token(token)
    if recipient is None:
        return render_error(404, "Lien introuvable", LINK_INVALID)
    event = recipient.campaign.event
    overview = catalogue.public_event(event.slug)
    if overview is None:
        return render_error(404, "Lien introuvable", LINK_INVALID)
    refusal = availability(overview.event, utcnow()).refusal
    if refusal is not None:
        error = refusal()
        return render_template(
            "registrations/unavailable.html",
            overview=overview,
            title=REFUSAL_TITLES.get(type(error), "Inscription impossible"),
            error=error,
        ), error.http_status
    if request.method == "GET":
        campaigns.record_opened(recipient)
        form = ApplicantForm(data=_prefilled(recipient))
    else:
        form = ApplicantForm()
    status = 200
    if form.validate_on_submit():
        try:
            receipt = services.register(
                event.id, form.to_applicant(), source=RegistrationSource.INVITATION
            )
        except errors.AlreadyRegistered as error:
            form.email.errors.append(error.message)
            status = 409
        except STRUCTURE_ERRORS as error:
            form.structure.errors.append(error.message)
        except (errors.EventCancelled, errors.RegistrationClosed, errors.RegistrationNotOpenYet):
            return render_error(409, "Inscription impossible", LINK_INVALID)
        else:
            campaigns.record_registration(recipient.id, receipt.registration_id)
            return remember_receipt(event.slug, receipt)
    if form.errors and status == 200:
        status = 422
    form.offer_structures(structures_for_picker(), event.audience is Audience.MEMBERS)
    return render_template(
        "registrations/register.html",
        overview=overview,
        form=form,
        form_action=request.path,
    ), status


def _prefilled(recipient: CampaignRecipient) -> dict[str, object]:
    if recipient.structure_id is not None:
        structure = str(recipient.structure_id)
    else:
        structure = OTHER_STRUCTURE if recipient.structure_name else ""
    return {
        "email": recipient.email,
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "job_title": recipient.job_title,
        "structure": structure,
        "other_structure_name": "" if recipient.structure_id else recipient.structure_name,
    }


@blueprint.route("/desabonnement/<int:mail_id>/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: a mail client's one-click POST carries no session nor token
@limiter.limit(registration_rate_limit, methods=["POST"])
def unsubscribe_page(mail_id: int, token: str):
    """GET shows a button and changes nothing (mail scanners follow links); POST
    (that button, or a mail client's « List-Unsubscribe=One-Click ») unsubscribes."""
    if request.method == "GET":
        try:
            email = unsubscribe.check_link(mail_id, token)
        except unsubscribe.LinkInvalid:
            return render_error(404, "Lien introuvable", LINK_INVALID)
        return render_template(
            "invitations/unsubscribe.html",
            email=email,
            already=unsubscribe.is_unsubscribed(email),
        )
    try:
        done = unsubscribe.unsubscribe(mail_id, token)
    except unsubscribe.LinkInvalid:
        return render_error(404, "Lien introuvable", LINK_INVALID)
    return render_template("invitations/unsubscribed.html", done=done)
