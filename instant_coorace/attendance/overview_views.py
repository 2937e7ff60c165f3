"""The team's attendance overview of an event, its sessions, and the exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from instant_coorace.attendance import check_in, exports, overview
from instant_coorace.attendance.overview_forms import MarkAbsenceForm
from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("attendance_overview", __name__, url_prefix="/gestion/evenements")


@blueprint.get("/<int:event_id>/presences")
@staff_required
def event_overview(event_id: int):
    event = _event_or_404(event_id)
    return render_template(
        "attendance/overview.html", event=event, summary=overview.event_overview(event)
    )


@blueprint.get("/<int:event_id>/presences/<int:session_id>")
@staff_required
def session_overview(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    lines, tally = overview.session_lines(session)
    return render_template(
        "attendance/overview_session.html",
        event=session.event,
        session=session,
        lines=lines,
        tally=tally,
    )


@blueprint.route(
    "/<int:event_id>/presences/<int:session_id>/<int:registration_id>", methods=["GET", "POST"]
)
@staff_required
def mark(event_id: int, session_id: int, registration_id: int):
    """Mark one person « absent » or « excusé » at one session, with a reason."""
    session = _session_or_404(event_id, session_id)
    line = overview.line_of(session, registration_id) or abort(404)
    form = MarkAbsenceForm(
        data={"status": line.status.value if line.status in overview.MARKABLE else None}
        | {"reason": line.reason}
    )
    if form.validate_on_submit():
        try:
            overview.mark(
                registration_id, session.id, form.chosen_status(), form.reason.data, current_user.id
            )
        except overview.MarkRefused as error:
            form.status.errors.append(error.message)
        else:
            flash(f"{line.first_name} {line.last_name} : enregistré.", "success")
            target = url_for(".session_overview", event_id=event_id, session_id=session.id)
            return redirect(f"{target}#inscription-{registration_id}", code=303)
    return render_template(
        "attendance/overview_mark.html", event=session.event, session=session, line=line, form=form
    ), (422 if request.method == "POST" else 200)


@blueprint.get("/<int:event_id>/presences.csv")
@staff_required
def export_csv(event_id: int):
    event = _event_or_404(event_id)
    return _download(exports.attendance_csv(event), exports.CSV_TYPE, event, "csv")


@blueprint.get("/<int:event_id>/presences.xlsx")
@staff_required
def export_xlsx(event_id: int):
    event = _event_or_404(event_id)
    return _download(exports.attendance_xlsx(event), exports.XLSX_TYPE, event, "xlsx")


def _download(data: bytes, mimetype: str, event: Event, extension: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename_for(event, extension)}"'
    )
    return response


def _event_or_404(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _session_or_404(event_id: int, session_id: int) -> EventSession:
    return check_in.session_of_event(event_id, session_id) or abort(404)
