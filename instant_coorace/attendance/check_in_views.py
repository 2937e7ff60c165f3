"""The check-in pages, made for a tablet or a phone at the door.

Every page works without JavaScript (the search is a GET form, each tap a
small POST form); ``static/check-in.js`` turns the taps into requests that
update the row in place. A QR code's address (``/gestion/accueil/<token>``)
asks for a staff login like any page here: anyone else gets the login page,
and nothing changes.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from instant_coorace.attendance import check_in as service
from instant_coorace.attendance import status_labels
from instant_coorace.attendance.check_in_forms import CheckInSearchForm, TapForm
from instant_coorace.attendance.check_in_links import (
    check_in_url,
    registration_of_token,
    scanned_token,
)
from instant_coorace.attendance.qr import qr_svg, shows_check_in_qr
from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.formatting import french_time
from instant_coorace.registrations import roster
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.staff_forms import StaffRegistrationForm
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("check_in", __name__, url_prefix="/gestion")
blueprint.app_context_processor(lambda: {"attendance_labels": status_labels})


@blueprint.app_template_global()
def check_in_qr_svg(registration: Registration) -> Markup | None:
    """The QR code a registrant shows at the door, for their own page."""
    return qr_svg(check_in_url(registration)) if shows_check_in_qr(registration) else None


@blueprint.get("/evenements/<int:event_id>/accueil")
@staff_required
def door(event_id: int):
    """The check-in of the session under way, or of the next one."""
    event = db.session.get(Event, event_id) or abort(404)
    session = service.current_session(event)
    if session is None:
        flash("Cet événement n'a aucune session : rien à pointer.", "warning")
        return redirect(url_for("event_management.event_detail", event_id=event_id))
    return redirect(url_for(".session_list", event_id=event_id, session_id=session.id))


@blueprint.get("/evenements/<int:event_id>/accueil/<int:session_id>")
@staff_required
def session_list(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    form = CheckInSearchForm(request.args)
    search = form.search()
    token = scanned_token(search)
    if token is not None:
        return redirect(url_for(".scanned", token=token, session=session.id))
    return render_template(
        "attendance/check_in.html",
        event=session.event,
        session=session,
        form=form,
        search=search,
        listing=service.check_in_list(session, search),
        tap_form=TapForm(),
    )


@blueprint.post("/evenements/<int:event_id>/accueil/<int:session_id>/<int:registration_id>")
@staff_required
def mark_present(event_id: int, session_id: int, registration_id: int):
    session = _session_or_404(event_id, session_id)
    form = TapForm()
    if not form.validate():
        abort(400)
    try:
        checked_in = service.check_in(registration_id, session.id, current_user.id)
    except service.CheckInRefused as error:
        return _tapped(session, registration_id, form, error.message, "error")
    if checked_in.already_since is not None:
        message = (
            f"{checked_in.full_name} était déjà marqué·e présent·e "
            f"(depuis {french_time(checked_in.already_since)})."
        )
        return _tapped(session, registration_id, form, message, "info")
    return _tapped(session, registration_id, form, f"{checked_in.full_name} : présent·e.")


@blueprint.post("/evenements/<int:event_id>/accueil/<int:session_id>/<int:registration_id>/annuler")
@staff_required
def undo(event_id: int, session_id: int, registration_id: int):
    session = _session_or_404(event_id, session_id)
    form = TapForm()
    if not form.validate():
        abort(400)
    try:
        undone = service.undo_check_in(registration_id, session.id)
    except service.CheckInRefused as error:
        return _tapped(session, registration_id, form, error.message, "error")
    message = "Présence annulée." if undone else "Cette personne n'était pas marquée présente."
    return _tapped(session, registration_id, form, message, "success" if undone else "info")


@blueprint.route(
    "/evenements/<int:event_id>/accueil/<int:session_id>/sur-place", methods=["GET", "POST"]
)
@staff_required
def walk_in(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    form = StaffRegistrationForm(roster.structure_choices())
    if form.validate_on_submit():
        try:
            checked_in = service.add_walk_in(session.id, form.to_applicant(), current_user.id)
        except service.CheckInRefused as error:
            flash(error.message, "error")
        else:
            flash(f"{checked_in.full_name} : inscrit·e sur place et présent·e.", "success")
            return redirect(url_for(".session_list", event_id=event_id, session_id=session.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "attendance/check_in_walk_in.html", event=session.event, session=session, form=form
    ), status


@blueprint.route("/accueil/<token>", methods=["GET", "POST"])
@staff_required
def scanned(token: str):
    """What a QR code leads to: that person's check-in, confirmed with a button."""
    registration = registration_of_token(token)
    if registration is None:
        abort(404)
    event = registration.event
    session = _chosen_session(event, request.values.get("session", type=int))
    form = TapForm()
    if request.method == "POST" and session is not None and form.validate():
        try:
            checked_in = service.check_in(registration.id, session.id, current_user.id)
        except service.CheckInRefused as error:
            flash(error.message, "error")
        else:
            if checked_in.already_since is not None:
                flash(f"{checked_in.full_name} était déjà marqué·e présent·e.", "info")
            else:
                flash(f"{checked_in.full_name} : présent·e.", "success")
            return redirect(url_for(".session_list", event_id=event.id, session_id=session.id))
    row = service.check_in_row(session, registration.id) if session else None
    return render_template(
        "attendance/check_in_scanned.html",
        event=event,
        session=session,
        registration=registration,
        token=token,
        row=row,
        form=form,
    )


def _tapped(
    session: EventSession, registration_id: int, form: TapForm, message: str, category="success"
):
    """After a tap: the row and the count as JSON for the script, else back to the list."""
    if request.accept_mimetypes.best == "application/json":
        row = service.check_in_row(session, registration_id)
        present, expected = service.present_and_expected(session)
        row_html = (
            render_template(
                "attendance/check_in_row.html",
                row=row,
                event=session.event,
                session=session,
                search=form.q.data or "",
                tap_form=form,
            )
            if row
            else ""
        )
        return jsonify(
            message=message,
            category=category,
            row_html=row_html,
            present=present,
            expected=expected,
        )
    flash(message, category)
    target = url_for(
        ".session_list", event_id=session.event_id, session_id=session.id, q=form.q.data or None
    )
    return redirect(f"{target}#inscription-{registration_id}", code=303)


def _session_or_404(event_id: int, session_id: int) -> EventSession:
    return service.session_of_event(event_id, session_id) or abort(404)


def _chosen_session(event: Event, session_id: int | None) -> EventSession | None:
    chosen = service.session_of_event(event.id, session_id) if session_id else None
    return chosen or service.current_session(event)
