"""QR codes of the check-in link: SVG on our pages, PNG in mail.

Pages get inline SVG (no request, sharp at any size; segno writes presentation
attributes, never a ``style`` attribute the CSP would block). Mail gets an
``<img>`` whose address the worker fills at delivery (``check_in_links``): mail
clients drop inline SVG (Gmail) and ``data:`` images (Outlook), and a code
rendered into the stored mail would store the personal link itself.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup, escape

from instant_coorace.attendance.check_in_links import check_in_url, qr_image_marker
from instant_coorace.events.models import EventFormat
from instant_coorace.registrations.models import Registration, RegistrationStatus

#: Pixels per module of the PNG, and the modules of quiet zone around it.
PNG_SCALE = 4
PNG_BORDER = 4
ALT = "QR code d'accueil à présenter à l'entrée"


def qr_svg(url: str, title: str = ALT) -> Markup:
    """``url`` as an inline SVG QR code, sized by the stylesheet (``.qr-code``)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        svgclass="qr-code",
        lineclass=None,
        title=title,
        scale=4,
    )
    svg = buffer.getvalue().decode()
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own output


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=PNG_SCALE, border=PNG_BORDER)
    return buffer.getvalue()


def shows_check_in_qr(registration: Registration) -> bool:
    """A confirmed seat at an event people come to in person."""
    return (
        registration.status is RegistrationStatus.CONFIRMED
        and registration.event.format is not EventFormat.ONLINE
    )


def check_in_qr_for_mail(mail_key: str, registration: Registration) -> Markup | None:
    """The QR code of ``registration``'s check-in link, as HTML for the mail whose
    deduplication key is ``mail_key`` (the confirmation, the reminders); ``None``
    when there is no door to show it at (an online event, no confirmed seat)."""
    if not shows_check_in_qr(registration):
        return None
    source = escape(qr_image_marker(mail_key, registration))
    # The code of the real link has the same size: its address has the same length.
    width, _height = segno.make(check_in_url(registration), error="m").symbol_size(
        scale=PNG_SCALE, border=PNG_BORDER
    )
    return Markup(  # noqa: S704 - the marker is escaped, the rest is ours
        f'<img src="{source}" width="{width}" height="{width}" alt="{ALT}">'
    )
