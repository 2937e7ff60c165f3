"""The team's campaign pages: building one (audience, mail, preview, sending),
the list per event and across events, the follow-up with « relancer », and
the unsubscribed addresses."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.invitations import audience, campaigns, unsubscribe
from instant_coorace.invitations.audience import EXCLUSION_LABELS
from instant_coorace.invitations.campaigns import ANSWER_LABELS, CampaignError, Draft
from instant_coorace.invitations.forms import CampaignForm, ConfirmForm
from instant_coorace.invitations.mails import compose
from instant_coorace.mail.links import REDACTED
from instant_coorace.pagination import requested_page
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("campaigns", __name__, url_prefix="/gestion")

#: How many recipients the preview lists; the count covers them all.
LISTED = 1000

DEFAULT_SUBJECT = "Invitation : {evenement} – {date}"
DEFAULT_BODY = (
    "Bonjour {prenom},\n\n"
    "Nous avons le plaisir de vous inviter à **{evenement}**, le {date} ({lieu}).\n\n"
    "Votre formulaire d'inscription est déjà rempli à votre nom : {lien_inscription}\n\n"
    "À bientôt,\n\nL'équipe de Coorace Occitanie"
)


@blueprint.get("/campagnes")
@staff_required
def all_campaigns():
    return render_template(
        "invitations/campaign_list.html", event=None, campaigns=campaigns.list_campaigns()
    )


@blueprint.get("/evenements/<int:event_id>/campagnes")
@staff_required
def event_campaigns(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    return render_template(
        "invitations/campaign_list.html",
        event=event,
        campaigns=campaigns.list_campaigns(event.id),
    )


@blueprint.route("/evenements/<int:event_id>/campagnes/nouvelle", methods=["GET", "POST"])
@staff_required
def new_campaign(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = CampaignForm()
    if not form.is_submitted():
        form.subject.data = DEFAULT_SUBJECT
        form.body.data = DEFAULT_BODY
        form.followers.data = request.args.get("abonnes") == "1" and event.series_id is not None
    past = [
        (past_id, label) for past_id, label in audience.past_events(utcnow()) if past_id != event.id
    ]
    form.offer(audience.directory_departments(), past)
    found = message = chosen = None
    if form.validate_on_submit():
        selection = form.selection(with_followers=event.series_id is not None)
        if selection.is_empty:
            form.kinds.errors.append("Choisissez au moins un groupe, ou collez des adresses.")
        elif "envoyer" in request.form:
            draft = Draft(
                form.subject.data,
                form.body.data,
                selection,
                form.describe({str(k): v for k, v in past}),
            )
            try:
                sent = campaigns.send(event.id, draft, form.send_key.data, current_user.id)
            except CampaignError as error:
                _field_error(form, error)
            else:
                flash(
                    "Cette campagne était déjà envoyée : rien n'a été renvoyé."
                    if sent.already
                    else f"Invitation mise en file d'envoi pour {sent.queued} personne"
                    f"{'s' if sent.queued > 1 else ''}.",
                    "warning" if sent.already else "success",
                )
                return redirect(url_for(".follow_up", campaign_id=sent.campaign_id), code=303)
        if not form.errors:
            found = campaigns.preview(event.id, selection)
            if not found.included:
                form.kinds.errors.append(
                    "Aucun destinataire : personne dans cette sélection ne peut être invité."
                )
            else:
                chosen = found.find(form.preview_for.data or "") or found.included[0]
                form.preview_for.data = chosen.email
                form.preview_for.choices = [(c.email, c.label) for c in found.included[:LISTED]]
                message = compose(
                    form.subject.data,
                    form.body.data,
                    event,
                    {
                        "first_name": chosen.first_name,
                        "last_name": chosen.last_name,
                        "structure_name": chosen.structure_name,
                    },
                    REDACTED,
                )
    return render_template(
        "invitations/campaign_form.html",
        event=event,
        form=form,
        audience=found,
        message=message,
        listed=LISTED,
        exclusion_labels=EXCLUSION_LABELS,
    ), (422 if form.errors else 200)


def _field_error(form: CampaignForm, error: CampaignError) -> None:
    field = {"subject": form.subject, "body": form.body}.get(error.field or "", form.kinds)
    field.errors = [*field.errors, error.message]


@blueprint.get("/campagnes/<int:campaign_id>")
@staff_required
def follow_up(campaign_id: int):
    try:
        found = campaigns.follow_up(campaign_id)
    except CampaignError:
        abort(404)
    return render_template(
        "invitations/campaign_follow_up.html", found=found, answer_labels=ANSWER_LABELS
    )


@blueprint.route("/campagnes/<int:campaign_id>/relancer", methods=["GET", "POST"])
@staff_required
def remind(campaign_id: int):
    try:
        found = campaigns.follow_up(campaign_id)
    except CampaignError:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            queued = campaigns.remind(campaign_id)
        except CampaignError as error:
            flash(error.message, "error")
        else:
            flash(
                f"Relance mise en file d'envoi pour {queued} personne{'s' if queued > 1 else ''}.",
                "success",
            )
        return redirect(url_for(".follow_up", campaign_id=campaign_id), code=303)
    return render_template(
        "invitations/campaign_remind.html",
        found=found,
        form=form,
        count=campaigns.reminder_count(campaign_id),
    )


@blueprint.get("/desabonnements")
@staff_required
def unsubscriptions():
    return render_template(
        "invitations/unsubscriptions.html",
        page=unsubscribe.list_unsubscriptions(requested_page()),
        purpose_labels=unsubscribe.PURPOSE_LABELS,
    )
