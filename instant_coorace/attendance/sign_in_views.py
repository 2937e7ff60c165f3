"""Émargement pages: the sheets to print or download, signing on the staff
tablet or on the trainee's own phone, and the team's « absent » / « excusé »."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from instant_coorace.attendance import sheets, signatures
from instant_coorace.attendance.sign_in_forms import AbsenceForm, SignatureForm
from instant_coorace.audit.models import AuditAction
from instant_coorace.audit.services import record as audit
from instant_coorace.events.models import Event
from instant_coorace.extensions import db, limiter
from instant_coorace.registrations import personal
from instant_coorace.registrations.views import registration_rate_limit
from instant_coorace.staff.auth import staff_required
from instant_coorace.transactions import write_transaction

blueprint = Blueprint("sign_in", __name__)
#: For the registrant's own page: the sessions they may sign now.
blueprint.add_app_template_global(signatures.open_sessions, "signable_sessions")

STAFF_SESSION = "/gestion/evenements/<int:event_id>/sessions/<int:session_id>/emargement"
TOO_LARGE = (
    "La signature envoyée est bien trop volumineuse pour être une signature : "
    "rien n'a été enregistré. Effacez le cadre et signez à nouveau."
)


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A 20 MB « signature » is refused before it is read, with a word on what to do."""
    return render_template("attendance/sign_refused.html", message=TOO_LARGE), 413


@blueprint.get("/gestion/evenements/<int:event_id>/emargement")
@staff_required
def sessions(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "attendance/sign_sessions.html", event=event, signs_in=signatures.signs_in(event)
    )


@blueprint.get(STAFF_SESSION)
@staff_required
def roster(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    return render_template(
        "attendance/sign_roster.html",
        session=session,
        event=session.event,
        lines=signatures.session_roster(session),
        heading=sheets.session_heading(session),
        signs_in=signatures.signs_in(session.event),
        is_open=signatures.is_open_for_signing(session),
    )


@blueprint.get(STAFF_SESSION + ".pdf")
@staff_required
def sheet(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    pdf = sheets.sheet_pdf(session, signed=False)
    return _pdf_response(pdf, sheets.sheet_filename(session, signed=False))


@blueprint.get(STAFF_SESSION + "-signee.pdf")
@staff_required
def signed_sheet(event_id: int, session_id: int):
    session = _session_or_404(event_id, session_id)
    pdf = sheets.sheet_pdf(session, signed=True)
    with write_transaction():
        audit(AuditAction.ATTENDANCE_SHEET_DOWNLOADED, f"session {session.id}")
    return _pdf_response(pdf, sheets.sheet_filename(session, signed=True))


@blueprint.route(STAFF_SESSION + "/<int:registration_id>", methods=["GET", "POST"])
@staff_required
def sign_on_tablet(event_id: int, session_id: int, registration_id: int):
    session = _session_or_404(event_id, session_id)
    registration = _trainee_or_404(session, registration_id)
    back = url_for(".roster", event_id=event_id, session_id=session_id)
    return _signing_page(session, registration, back, staff_user_id=current_user.id)


@blueprint.route(STAFF_SESSION + "/<int:registration_id>/absence", methods=["GET", "POST"])
@staff_required
def absence(event_id: int, session_id: int, registration_id: int):
    session = _session_or_404(event_id, session_id)
    registration = _trainee_or_404(session, registration_id)
    form = AbsenceForm()
    if form.validate_on_submit():
        signatures.mark_absence(
            event_id,
            session_id,
            registration_id,
            form.chosen_status,
            form.reason.data or "",
            staff_user_id=current_user.id,
        )
        flash(f"Absence de {registration.full_name} enregistrée.", "success")
        return redirect(url_for(".roster", event_id=event_id, session_id=session_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "attendance/sign_absence.html",
        form=form,
        session=session,
        registration=registration,
        heading=sheets.session_heading(session),
    ), status


@blueprint.route("/inscription/<token>/emargement/<int:session_id>", methods=["GET", "POST"])
@limiter.limit(registration_rate_limit, methods=["POST"])
def sign_own(token: str, session_id: int):
    registration = personal.by_token(token).registration
    session = _session_or_404(registration.event_id, session_id)
    _trainee_or_404(session, registration.id)
    back = url_for("registrations.manage", token=token)
    return _signing_page(session, registration, back, staff_user_id=None)


def _signing_page(session, registration, back: str, *, staff_user_id: int | None):
    """The canvas page of one trainee and session, and what its form sends."""
    form = SignatureForm()
    refusal = None
    if form.validate_on_submit():
        try:
            signatures.sign(
                session.event_id,
                session.id,
                registration.id,
                form.signature.data or "",
                staff_user_id=staff_user_id,
            )
        except signatures.SigningRefused as error:
            refusal = error.message
        except signatures.NotFound:
            abort(404)
        else:
            flash(f"Signature de {registration.full_name} enregistrée. Merci !", "success")
            return redirect(back)
    elif request.method == "GET":
        refusal = signatures.window_refusal(session)
    status = 422 if refusal and request.method == "POST" else 200
    return render_template(
        "attendance/sign_pad.html",
        form=form,
        session=session,
        registration=registration,
        heading=sheets.session_heading(session),
        refusal=refusal,
        back=back,
    ), status


def _session_or_404(event_id: int, session_id: int):
    try:
        return signatures.session_of(event_id, session_id)
    except signatures.NotFound:
        abort(404)


def _trainee_or_404(session, registration_id: int):
    if not signatures.signs_in(session.event):
        abort(404)
    try:
        return signatures.trainee(session, registration_id)
    except signatures.NotFound:
        abort(404)


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
