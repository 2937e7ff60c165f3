"""Public registration pages: the form and its confirmation, and the personal
pages reached through the link only the registrant holds (see, cancel, hand
the seat to a colleague)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from instant_coorace.attendance.join_links import registration_join_token
from instant_coorace.database import utcnow
from instant_coorace.errors import render_error
from instant_coorace.events import catalogue
from instant_coorace.events.models import Audience, Event
from instant_coorace.extensions import limiter
from instant_coorace.http_headers import personal_data
from instant_coorace.members.directory import structures_for_picker
from instant_coorace.registrations import errors, personal, services
from instant_coorace.registrations.forms import ApplicantForm, ConfirmForm, DetailsForm
from instant_coorace.registrations.tokens import hash_token, management_token
from instant_coorace.registrations.window import availability

blueprint = Blueprint("registrations", __name__)

#: Flask session key of the last registration's receipt, read by the confirmation page.
RECEIPT_KEY = "registration_receipt"

#: Domain errors that point at the chosen structure rather than at the whole request.
STRUCTURE_ERRORS = (
    errors.AudienceRestricted,
    errors.UnknownStructure,
    errors.StructureQuotaReached,
)

REFUSAL_TITLES = {
    errors.EventCancelled: "Événement annulé",
    errors.RegistrationClosed: "Inscriptions closes",
    errors.RegistrationNotOpenYet: "Inscriptions pas encore ouvertes",
}


def registration_rate_limit() -> str:
    return current_app.config["PUBLIC_REGISTRATION_RATE_LIMIT"]


def shows_personal_links() -> bool:
    """Until mail exists, the personal link is shown on screen in development only."""
    return current_app.config["ENV_NAME"] == "development"


@blueprint.errorhandler(errors.RegistrationError)
def registration_error(error: errors.RegistrationError):
    if isinstance(error, errors.RegistrationNotFound):
        return render_error(404, "Lien introuvable", error.message)
    return render_error(error.http_status, "Action impossible", error.message)


@blueprint.route("/evenements/<slug>/inscription", methods=["GET", "POST"])
@personal_data
@limiter.limit(registration_rate_limit, methods=["POST"])
def register(slug: str):
    # An accepted registration costs no read before the event's lock: the event,
    # its page and the directory are loaded only to show a page.
    form = ApplicantForm()
    if not form.validate_on_submit():
        return _form_page(slug, form)
    try:
        receipt = services.register(slug, form.to_applicant())
    except errors.EventNotFound:
        abort(404)
    except errors.AlreadyRegistered as error:
        form.email.errors.append(error.message)
        return _form_page(slug, form, status=409)
    except STRUCTURE_ERRORS as error:
        form.structure.errors.append(error.message)
        return _form_page(slug, form)
    except (
        errors.EventCancelled,
        errors.RegistrationClosed,
        errors.RegistrationNotOpenYet,
    ) as error:
        return _refused(catalogue.public_event(slug), error)
    return remember_receipt(slug, receipt)


def remember_receipt(slug: str, receipt: services.Receipt):
    """Off to the confirmation page of the registration just made (also from an invitation)."""
    # The cookie is signed, not encrypted: it names the registration and a prefix of
    # its link's hash (to notice a link re-issued since), never the link itself.
    session[RECEIPT_KEY] = {
        "slug": slug,
        "registration_id": receipt.registration_id,
        "link_hash": hash_token(receipt.token)[:16],
    }
    return redirect(url_for("registrations.confirmation", slug=slug), code=303)


@blueprint.get("/evenements/<slug>/inscription/confirmee")
@personal_data
def confirmation(slug: str):
    receipt = session.get(RECEIPT_KEY)
    if not receipt or receipt.get("slug") != slug:
        return redirect(url_for("events.event_page", slug=slug))
    mine = personal.by_id(receipt["registration_id"])
    if (
        mine is None
        or mine.event.slug != slug
        or not mine.registration.token_hash.startswith(receipt.get("link_hash") or "-")
    ):
        # Handed over or registered again since: this browser's receipt is stale.
        return redirect(url_for("events.event_page", slug=slug))
    shows_link = shows_personal_links()
    return render_template(
        "registrations/confirmation.html",
        mine=mine,
        token=management_token(mine.registration) if shows_link else None,
        shows_link=shows_link,
    )


@blueprint.get("/inscription/<token>")
def manage(token: str):
    mine = personal.by_token(token)
    return render_template(
        "registrations/manage.html",
        mine=mine,
        token=token,
        join_token=registration_join_token(mine.registration),
    )


@blueprint.route("/inscription/<token>/annuler", methods=["GET", "POST"])
def cancel(token: str):
    mine = _changeable(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        event, was_waitlisted = mine.event, mine.waitlist_rank is not None
        promoted = services.cancel(mine.registration.id)
        return render_template(
            "registrations/cancelled.html",
            event=event,
            was_waitlisted=was_waitlisted,
            seat_passed_on=bool(promoted),
        )
    return render_template(
        "registrations/cancel.html",
        mine=mine,
        token=token,
        form=form,
        has_waiting_list=personal.has_waiting_list(mine.event.id),
    )


@blueprint.route("/inscription/<token>/transmettre", methods=["GET", "POST"])
@limiter.limit(registration_rate_limit, methods=["POST"])
def hand_over(token: str):
    mine = _changeable(token)
    form = ApplicantForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            new_token = services.hand_over(mine.registration.id, form.to_applicant())
        except errors.AlreadyRegistered:
            form.email.errors.append("Cette personne est déjà inscrite à cet événement.")
        except STRUCTURE_ERRORS as error:
            form.structure.errors.append(error.message)
        else:
            return render_template(
                "registrations/handed_over.html",
                event=mine.event,
                new_token=new_token,
                shows_link=shows_personal_links(),
            )
    form.offer_structures(structures_for_picker(), _members_only(mine.event))
    return render_template(
        "registrations/hand_over.html", mine=mine, token=token, form=form
    ), status


@blueprint.route("/inscription/<token>/informations", methods=["GET", "POST"])
def details(token: str):
    """« Modifier mes informations »: the registrant corrects who they are."""
    mine = _changeable(token)
    form = DetailsForm() if request.method == "POST" else DetailsForm.of(mine.registration)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            services.update_details(mine.registration.id, form.to_details())
        except STRUCTURE_ERRORS as error:
            form.structure.errors.append(error.message)
        else:
            flash("Vos informations sont enregistrées.", "success")
            return redirect(url_for(".manage", token=token), code=303)
    form.offer_structures(structures_for_picker(), _members_only(mine.event))
    return render_template("registrations/details.html", mine=mine, token=token, form=form), status


def _changeable(token: str) -> personal.PersonalRegistration:
    mine = personal.by_token(token)
    if not mine.can_change:
        raise errors.RegistrationError(
            "Cette inscription ne peut plus être modifiée : "
            "elle est annulée, ou l'événement est passé ou annulé."
        )
    return mine


def _form_page(slug: str, form: ApplicantForm, status: int | None = None):
    """The form (again, with its errors), or why registering is impossible."""
    overview = catalogue.public_event(slug)
    if overview is None:
        abort(404)
    refusal = availability(overview.event, utcnow()).refusal
    if refusal is not None:
        return _refused(overview, refusal())
    if status is None:
        status = 422 if form.errors else 200
    form.offer_structures(structures_for_picker(), _members_only(overview.event))
    return render_template("registrations/register.html", overview=overview, form=form), status


def _members_only(event: Event) -> bool:
    return event.audience is Audience.MEMBERS


def _refused(overview: catalogue.EventOverview, error: errors.RegistrationError):
    title = REFUSAL_TITLES.get(type(error), "Inscription impossible")
    return render_template(
        "registrations/unavailable.html", overview=overview, title=title, error=error
    ), error.http_status
