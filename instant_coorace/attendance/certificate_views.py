"""Certificates of an event, for the team: the list with hours attended, one
PDF, all of them as a zip, and sending them by mail."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from instant_coorace.attendance import certificates
from instant_coorace.attendance.sign_in_forms import CertificateMailForm
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("certificates", __name__, url_prefix="/gestion/evenements/<int:event_id>")


@blueprint.get("/certificats")
@staff_required
def list_certificates(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "attendance/certificates.html",
        event=event,
        lines=certificates.certificate_lines(event_id),
        document=certificates.document_name(event),
        duration_words=certificates.duration_words,
        form=CertificateMailForm(),
    )


@blueprint.get("/certificats/<int:registration_id>.pdf")
@staff_required
def download_one(event_id: int, registration_id: int):
    try:
        filename, pdf = certificates.certificate_for(event_id, registration_id)
    except certificates.CertificateUnavailable:
        abort(404)
    return _download(pdf, filename, "application/pdf")


@blueprint.get("/certificats.zip")
@staff_required
def download_all(event_id: int):
    try:
        filename, archive = certificates.certificates_zip(event_id)
    except certificates.CertificateUnavailable:
        abort(404)
    return _download(archive, filename, "application/zip")


@blueprint.post("/certificats/envoi")
@staff_required
def send(event_id: int):
    db.get_or_404(Event, event_id)
    form = CertificateMailForm()
    if form.validate_on_submit():
        chosen = form.registration_id.data
        queued = certificates.send_certificates(event_id, None if chosen is None else [chosen])
        if queued:
            flash(f"{queued} courriel(s) avec le certificat mis en file d'envoi.", "success")
        else:
            flash("Aucun courriel de plus : déjà demandé à l'instant, ou rien à envoyer.", "info")
    else:
        flash("La demande n'a pas pu être lue : rechargez la page et réessayez.", "error")
    return redirect(url_for(".list_certificates", event_id=event_id))


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
