"""The team's page for writing to an event's registrants."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.registrations import messaging
from instant_coorace.registrations.message_form import RegistrantMessageForm
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("registrant_messages", __name__, url_prefix="/gestion/evenements")


@blueprint.route("/<int:event_id>/ecrire", methods=["GET", "POST"])
@staff_required
def write(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = RegistrantMessageForm()
    if form.validate_on_submit():
        queued = messaging.write_to_registrants(
            event.id, form.chosen, form.subject.data, form.body.data, form.send_key.data
        )
        flash(
            f"Message mis en file d'envoi pour {queued} personne{'s' if queued > 1 else ''}."
            if queued
            else "Ce message a déjà été envoyé : rien n'a été renvoyé.",
            "success" if queued else "warning",
        )
        return redirect(url_for("registration_management.list_registrations", event_id=event.id))
    return render_template(
        "registrations/admin_message.html",
        event=event,
        form=form,
        counts=messaging.recipient_counts(event.id),
    ), (422 if form.errors else 200)
