"""The QR code image a mail shows: public, as mail clients fetch it without a
login, and harmless, as the code only leads to a page that asks for one."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from instant_coorace.attendance.check_in_links import check_in_url, registration_of_token
from instant_coorace.attendance.qr import qr_png

blueprint = Blueprint("check_in_code", __name__)


@blueprint.get("/presence/qr/<token>.png")
def qr_image(token: str):
    registration = registration_of_token(token)
    if registration is None:
        abort(404)
    return Response(qr_png(check_in_url(registration)), mimetype="image/png")
