"""The team's view of outgoing mail: what left, what waits, what failed and why."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from instant_coorace.errors import render_error
from instant_coorace.mail import links, outbox
from instant_coorace.mail.models import MailStatus
from instant_coorace.pagination import requested_page
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("mail_management", __name__, url_prefix="/gestion/courriels")

STATUS_LABELS = {
    MailStatus.PENDING: "En préparation",
    MailStatus.QUEUED: "En attente",
    MailStatus.SENDING: "En cours d'envoi",
    MailStatus.SENT: "Envoyé",
    MailStatus.FAILED: "Échec",
    MailStatus.CANCELLED: "Annulé",
}
STATUS_TAGS = {
    MailStatus.PENDING: "tag-warn",
    MailStatus.QUEUED: "tag-warn",
    MailStatus.SENDING: "tag-warn",
    MailStatus.SENT: "tag-ok",
    MailStatus.FAILED: "tag-error",
    MailStatus.CANCELLED: "",
}


@blueprint.get("/")
@staff_required
def list_mail():
    status = _status_arg(request.args.get("statut", ""))
    listing = outbox.list_mail(status, requested_page())
    return render_template(
        "mail/admin_list.html",
        listing=listing,
        status=status,
        status_labels=STATUS_LABELS,
        status_tags=STATUS_TAGS,
    )


@blueprint.get("/<int:mail_id>")
@staff_required
def show_mail(mail_id: int):
    """What a mail says, as the team may read it: its personal links are masked."""
    try:
        mail = outbox.get_mail(mail_id)
    except outbox.MailNotFound as error:
        return render_error(error.http_status, message=error.message)
    return render_template(
        "mail/admin_detail.html",
        mail=mail,
        text=links.redacted(mail.text_body),
        status_labels=STATUS_LABELS,
        status_tags=STATUS_TAGS,
    )


@blueprint.post("/<int:mail_id>/renvoyer")
@staff_required
def retry_mail(mail_id: int):
    return _act(outbox.retry, mail_id, "Le courriel est de nouveau en attente d'envoi.")


@blueprint.post("/<int:mail_id>/annuler")
@staff_required
def cancel_mail(mail_id: int):
    return _act(outbox.cancel, mail_id, "Le courriel ne sera pas envoyé.")


def _act(action, mail_id: int, success: str):
    try:
        action(mail_id)
    except outbox.MailNotFound as error:
        return render_error(error.http_status, message=error.message)
    except outbox.OutboxError as error:
        flash(error.message, "error")
    else:
        flash(success, "success")
    status = _status_arg(request.form.get("statut", ""))
    return redirect(url_for(".list_mail", statut=status.value if status else None))


def _status_arg(value: str) -> MailStatus | None:
    try:
        return MailStatus(value)
    except ValueError:
        return None
