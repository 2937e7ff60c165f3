"""Importing a Zoom, Teams or Meet attendance report from the staff event page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request

from instant_coorace.attendance.imports import service
from instant_coorace.attendance.imports.forms import (
    AUTOMATIC,
    AttachForm,
    ReportUploadForm,
    StagedReportForm,
)
from instant_coorace.attendance.imports.reading import ImportRefused
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint(
    "attendance_import", __name__, url_prefix="/gestion/evenements/<int:event_id>/presences/import"
)


def upload_limit() -> int:
    return int(current_app.config["ATTENDANCE_MAX_UPLOAD_MB"] * 1024 * 1024)


@blueprint.before_request
def allow_the_upload_limit():
    """A report over the limit gets its French answer next to the field, not only
    the site's 413 page: the request may carry a few times the limit (Werkzeug
    spools a large file to disk), beyond which the site's page answers."""
    request.max_content_length = 4 * upload_limit() + 64 * 1024


def _folder() -> Path:
    return Path(current_app.instance_path) / "attendance-imports"


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


@blueprint.route("", methods=["GET", "POST"])
@staff_required
def upload(event_id: int):
    """Step one: the file, and what importing it would do, row by row."""
    event = _event(event_id)
    form = ReportUploadForm()
    form.offer_sessions(event)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("attendance/import.html", event=event, form=form), status
    data = form.file.data.read(upload_limit() + 1)
    if len(data) > upload_limit():
        limit = current_app.config["ATTENDANCE_MAX_UPLOAD_MB"]
        form.file.errors.append(f"Le fichier dépasse la taille autorisée ({limit:g} Mo).")
        return render_template("attendance/import.html", event=event, form=form), 413
    session_number = None if form.session.data == AUTOMATIC else form.session.data
    try:
        staged, report = service.stage(
            _folder(), event_id, data, session_number, form.file.data.filename or ""
        )
    except ImportRefused as error:
        form.file.errors.append(error.message)
        return render_template("attendance/import.html", event=event, form=form), 422
    return _report_page(staged, report)


@blueprint.post("/confirmer")
@staff_required
def confirm(event_id: int):
    """Step two: the file kept on the server is applied, never data sent back."""
    return _on_staged(event_id, StagedReportForm(), service.apply)


@blueprint.post("/rattacher")
@staff_required
def attach(event_id: int):
    form = AttachForm()
    return _on_staged(
        event_id,
        form,
        lambda folder, event_id, token: service.attach(
            folder, event_id, token, form.key.data, form.registration.data
        ),
    )


@blueprint.post("/sur-place")
@staff_required
def walk_in(event_id: int):
    form = StagedReportForm()
    return _on_staged(
        event_id,
        form,
        lambda folder, event_id, token: service.add_walk_in(folder, event_id, token, form.key.data),
    )


def _on_staged(event_id: int, form: StagedReportForm, action):
    event = _event(event_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        staged, report = action(_folder(), event_id, form.token.data)
    except ImportRefused as error:
        upload_form = ReportUploadForm(formdata=None)
        upload_form.offer_sessions(event)
        upload_form.file.errors = [error.message]  # not validated: errors is a tuple
        return render_template("attendance/import.html", event=event, form=upload_form), 422
    return _report_page(staged, report)


def _report_page(staged: service.Staged, report: service.ImportReport):
    return render_template(
        "attendance/import_report.html",
        report=report,
        staged=staged,
        event=report.event,
        labels_of=service.OUTCOME_LABELS,
    )
