"""The team's view of who registered: list, add by hand, waiting list moves, CSV."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.datastructures import MultiDict

from instant_coorace.errors import render_error
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.formatting import numeric_datetime
from instant_coorace.pagination import requested_page
from instant_coorace.registrations import errors, export, roster, services
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.registrations.personal import has_waiting_list
from instant_coorace.registrations.staff_forms import RosterFilterForm, StaffRegistrationForm
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("registration_management", __name__, url_prefix="/gestion/evenements")
blueprint.add_app_template_filter(numeric_datetime, "numeric_datetime")


@blueprint.get("/<int:event_id>/inscrits")
@staff_required
def list_registrations(event_id: int):
    event = _event_or_404(event_id)
    filter_form = RosterFilterForm(request.args)
    summary = roster.seat_summary(event)
    page = roster.roster_page(
        event.id,
        filter_form.to_filter(),
        page=requested_page(),
        summary=summary,
    )
    return render_template(
        "registrations/admin_list.html",
        event=event,
        summary=summary,
        roster=page,
        filter_form=filter_form,
        filter_args=filter_form.query_args(),
        event_detail_url=_event_detail_url(event.id),
        event_cancelled=event.status is EventStatus.CANCELLED,
        statuses=RegistrationStatus,
    )


@blueprint.route("/<int:event_id>/inscrits/ajouter", methods=["GET", "POST"])
@staff_required
def add_registration(event_id: int):
    event = _event_or_404(event_id)
    form = StaffRegistrationForm(roster.structure_choices())
    if form.validate_on_submit():
        try:
            receipt = services.register(
                event_id, form.to_applicant(), source=RegistrationSource.STAFF
            )
        except errors.AlreadyRegistered:
            form.email.errors.append("Cette personne est déjà inscrite à cet événement.")
        except errors.UnknownStructure as error:
            form.structure_id.errors.append(error.message)
        except errors.EventNotFound:
            abort(404)
        except errors.RegistrationError as error:
            flash(error.message, "error")
        else:
            _flash_added(event_id, form, receipt)
            return redirect(url_for(".list_registrations", event_id=event_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "registrations/admin_add.html",
        event=event,
        form=form,
        event_detail_url=_event_detail_url(event_id),
    ), status


@blueprint.post("/<int:event_id>/inscrits/<int:registration_id>/confirmer")
@staff_required
def promote(event_id: int, registration_id: int):
    registration = _registration_or_404(event_id, registration_id)
    name = registration.full_name
    try:
        services.promote(registration_id)
    except errors.RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(f"{name} est confirmé·e : sa place est réservée.", "success")
        summary = roster.seat_summary(_event_or_404(event_id))
        if summary.over_capacity:
            flash(
                f"Attention : l'événement compte maintenant {summary.confirmed} inscrit·es "
                f"pour {summary.capacity} places ({summary.over_capacity} en surnombre).",
                "warning",
            )
    return _back_to_list(event_id)


@blueprint.route(
    "/<int:event_id>/inscrits/<int:registration_id>/desinscrire", methods=["GET", "POST"]
)
@staff_required
def cancel(event_id: int, registration_id: int):
    """GET asks for confirmation (no JavaScript needed); POST cancels."""
    registration = _registration_or_404(event_id, registration_id)
    if request.method == "GET":
        return render_template(
            "registrations/admin_cancel.html",
            event=registration.event,
            registration=registration,
            someone_waits=has_waiting_list(event_id),
            filter_args=_filter_args(request.args),
            event_detail_url=_event_detail_url(event_id),
        )
    name = registration.full_name
    try:
        promoted = services.cancel(registration_id)
    except errors.RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(f"{name} est désinscrit·e.", "success")
        for promoted_name in roster.names_of(promoted):
            flash(
                f"Place libérée : {promoted_name} passe de la liste d'attente aux inscrit·es.",
                "info",
            )
    return _back_to_list(event_id)


@blueprint.get("/<int:event_id>/inscrits.csv")
@staff_required
def export_csv(event_id: int):
    event = _event_or_404(event_id)
    status = RosterFilterForm(request.args).to_filter().status
    filename = export.filename_for(event.slug)
    return Response(
        stream_with_context(export.registrations_csv(event.id, status)),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def _event_or_404(event_id: int) -> Event:
    event = roster.find_event(event_id)
    if event is None:
        abort(
            make_response(
                render_error(
                    404,
                    "Événement introuvable",
                    "Cet événement n'existe pas ou a été supprimé.",
                )
            )
        )
    return event


def _registration_or_404(event_id: int, registration_id: int) -> Registration:
    registration = roster.registration_of_event(event_id, registration_id)
    if registration is None:
        abort(
            make_response(
                render_error(
                    404,
                    "Inscription introuvable",
                    "Cette inscription n'existe pas ou ne concerne pas cet événement.",
                )
            )
        )
    return registration


def _flash_added(event_id: int, form: StaffRegistrationForm, receipt: services.Receipt) -> None:
    name = f"{form.first_name.data.strip()} {form.last_name.data.strip()}"
    if receipt.status is RegistrationStatus.CONFIRMED:
        flash(f"{name} est inscrit·e.", "success")
        return
    position = roster.waitlist_rank(event_id, receipt.registration_id)
    reason = (
        "Les places de sa structure sont prises"
        if receipt.structure_seats_taken
        else "Plus de place disponible"
    )
    flash(f"{reason} : {name} est sur la liste d'attente (position {position}).", "warning")


def _filter_args(args: MultiDict) -> dict[str, str]:
    """The list's filters and page, rebuilt from known keys only (no open redirect)."""
    kept = RosterFilterForm(args).query_args()
    page = args.get("page", type=int)
    if page and page > 1:
        kept["page"] = str(page)
    return kept


def _back_to_list(event_id: int):
    return redirect(url_for(".list_registrations", event_id=event_id, **_filter_args(request.args)))


def _event_detail_url(event_id: int) -> str | None:
    """The event's management page, once that blueprint provides it."""
    if "event_management.event_detail" not in current_app.view_functions:
        return None
    return url_for("event_management.event_detail", event_id=event_id)
