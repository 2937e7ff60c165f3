"""Back-office pages for events: list, create, edit, publish, unpublish, cancel."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from instant_coorace.events import catalogue, services
from instant_coorace.events.drafts import EventDraft
from instant_coorace.events.forms import (
    ADD_PROGRAMME_ITEM,
    ADD_SESSION,
    SAVE,
    EventForm,
    form_data,
    row_action,
    without_row,
)
from instant_coorace.events.models import EventStatus
from instant_coorace.invitations.following import announcement_audience
from instant_coorace.pagination import requested_page
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("event_management", __name__, url_prefix="/gestion/evenements")

FILTERS = {
    services.EventFilter.ALL: "Tous",
    services.EventFilter.UPCOMING: "À venir",
    services.EventFilter.PAST: "Passés",
    services.EventFilter.DRAFTS: "Brouillons",
    services.EventFilter.CANCELLED: "Annulés",
}


@blueprint.get("/")
@staff_required
def list_events():
    try:
        which = services.EventFilter(request.args.get("filtre", services.EventFilter.ALL))
    except ValueError:
        which = services.EventFilter.ALL
    return render_template(
        "events/manage_list.html",
        lines=services.list_events(which, requested_page()),
        which=which,
        filters=FILTERS,
    )


@blueprint.route("/nouveau", methods=["GET", "POST"])
@staff_required
def new_event():
    def save(draft: EventDraft) -> Response:
        event_id = services.create_event(draft)
        flash("Événement enregistré comme brouillon. Publiez-le quand il est prêt.", "success")
        return redirect(url_for(".event_detail", event_id=event_id))

    return _form_page(save, event=None)


@blueprint.get("/<int:event_id>")
@staff_required
def event_detail(event_id: int):
    line = _line_or_404(event_id)
    public = line.event.status is EventStatus.PUBLISHED
    return render_template(
        "events/manage_detail.html",
        line=line,
        event=line.event,
        registrants_url=_url_if_built(
            "registration_management.list_registrations", event_id=event_id
        ),
        public_url=_url_if_built("events.event_page", slug=line.event.slug) if public else None,
        series_audience=announcement_audience(line.event),
    )


@blueprint.get("/<int:event_id>/apercu")
@staff_required
def preview_event(event_id: int):
    """The public page as it will look, drafts included, marked as a preview."""
    overview = catalogue.event_preview(event_id)
    if overview is None:
        abort(404)
    return render_template("events/event.html", overview=overview, preview=True)


@blueprint.route("/<int:event_id>/modifier", methods=["GET", "POST"])
@staff_required
def edit_event(event_id: int):
    event = _line_or_404(event_id).event
    if event.status is EventStatus.CANCELLED:
        flash("Un événement annulé ne peut plus être modifié.", "error")
        return redirect(url_for(".event_detail", event_id=event_id))

    def save(draft: EventDraft) -> Response:
        outcome = services.update_event(event_id, draft)
        flash("Modifications enregistrées.", "success")
        if outcome.promoted:
            flash(
                f"{outcome.promoted} personne(s) de la liste d'attente ont obtenu une place.",
                "success",
            )
        if outcome.beyond_capacity:
            flash(
                f"Attention : {outcome.beyond_capacity} inscrit·e(s) confirmé·e(s) de plus que "
                "la nouvelle capacité. Personne n'a été désinscrit·e.",
                "warning",
            )
        return redirect(url_for(".event_detail", event_id=event_id))

    return _form_page(save, event=event)


@blueprint.post("/<int:event_id>/publier")
@staff_required
def publish_event(event_id: int):
    return _transition(event_id, services.publish, "Événement publié : il apparaît dans l'agenda.")


@blueprint.post("/<int:event_id>/depublier")
@staff_required
def unpublish_event(event_id: int):
    return _transition(
        event_id, services.unpublish, "Événement dépublié : il redevient un brouillon."
    )


@blueprint.route("/<int:event_id>/annuler", methods=["GET", "POST"])
@staff_required
def cancel_event(event_id: int):
    """A confirmation page first; the event is cancelled only from its form."""
    if request.method == "POST" and request.form.get("confirmation") == "oui":
        return _transition(
            event_id, services.cancel_event, "Événement annulé. Les inscriptions sont conservées."
        )
    line = _line_or_404(event_id)
    return render_template("events/manage_cancel.html", line=line, event=line.event)


def _form_page(save: Callable[[EventDraft], Response], event) -> Response | str:
    """Show the event form; add or remove a row, or validate and ``save``."""
    series = services.all_series()
    initial = form_data(event) if event is not None else None
    form = EventForm(series=series, data=initial)
    # After adding or removing a row, the keyboard's focus goes back where the person
    # works: the new row's first field, or the list's « Ajouter » button.
    focus = None
    if request.method == "POST":
        action = request.form.get("action", "")
        list_name, index = row_action(action)
        if index is not None:
            form = EventForm(without_row(request.form, list_name, index), series=series)
            focus = f"ajouter-{list_name}"
        elif action == ADD_SESSION:
            focus = form.sessions.append_entry().form.day.id
        elif action == ADD_PROGRAMME_ITEM:
            focus = form.programme.append_entry().form.time_label.id
        elif action not in ("", SAVE):
            abort(400)
        elif form.validate():
            try:
                return save(form.to_draft())
            except services.EventNotFound:
                abort(404)
            except services.EventError as error:
                form.add_error(error.field, error.message)
    return render_template("events/manage_form.html", form=form, event=event, focus=focus)


def _transition(event_id: int, action: Callable[[int], None], success: str) -> Response:
    try:
        action(event_id)
    except services.EventNotFound:
        abort(404)
    except services.EventError as error:
        flash(error.message, "error")
    else:
        flash(success, "success")
    return redirect(url_for(".event_detail", event_id=event_id))


def _url_if_built(endpoint: str, **values) -> str | None:
    """A link to a page another part of the back office provides, once it exists."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def _line_or_404(event_id: int) -> services.EventLine:
    try:
        return services.event_line(event_id)
    except services.EventNotFound:
        abort(404)
