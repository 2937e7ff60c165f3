"""The personal join link of an online session: ``/j/<token>``."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template

from instant_coorace.attendance.joining import Refusal, open_join_link
from instant_coorace.events.models import Event
from instant_coorace.extensions import db

blueprint = Blueprint("join", __name__)

STATUS = {Refusal.UNKNOWN: 404, Refusal.TOO_EARLY: 200, Refusal.OVER: 410}


@blueprint.get("/j/<token>")
def join(token: str):
    """On to the event's own visio (never an address taken from the request),
    or a page saying why not now."""
    joining = open_join_link(token)
    if joining.visio_url is not None:
        return redirect(joining.visio_url, code=303)
    event = db.session.get(Event, joining.event_id) if joining.event_id else None
    return render_template(
        "attendance/join_unavailable.html",
        refusal=joining.refusal.value,
        event=event,
        opens_at=joining.opens_at,
    ), STATUS.get(joining.refusal, 409)
