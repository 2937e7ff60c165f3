"""The team's page for an event's reminders and follow-up."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, url_for

import instant_coorace.reminders.scan  # noqa: F401 - registers the worker's scan and renderers
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.reminders import services
from instant_coorace.reminders.ahead import reminders_ahead
from instant_coorace.reminders.forms import ReminderPlanForm
from instant_coorace.reminders.overview import reminder_lines
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("reminders", __name__, url_prefix="/gestion/evenements")
blueprint.add_app_template_global(reminders_ahead)


@blueprint.route("/<int:event_id>/rappels", methods=["GET", "POST"])
@staff_required
def manage_reminders(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = ReminderPlanForm(data=dataclasses.asdict(services.plan_values(event)))
    if form.validate_on_submit():
        try:
            services.save_plan(event.id, form.values())
        except services.EventNotFound:
            abort(404)
        flash("Rappels et suivi enregistrés.", "success")
        return redirect(url_for(".manage_reminders", event_id=event.id))
    return render_template(
        "reminders/manage.html", event=event, form=form, lines=reminder_lines(event)
    ), (422 if form.errors else 200)
