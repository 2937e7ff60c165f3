"""Files attached to a mail, made when the worker sends it.

A domain whose mail carries a document (a certificate as PDF, say) registers,
for that mail's purpose, a function that makes the file from the mail's
registration. The outbox stores no file: the worker asks for it each time it
builds the message, so the table stays small and a mail sent again carries the
document as it stands then. The mail package never imports the domains that
register here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Attachment:
    filename: str
    #: e.g. ``application/pdf``.
    content_type: str
    data: bytes


Maker = Callable[[int], Attachment | None]
"""Makes the file for a registration id; ``None`` when it can no longer be made."""

_makers: dict[str, Maker] = {}


class AttachmentUnavailable(Exception):
    """The document of a mail can no longer be made (its registration was erased)."""


def register_attachment(purpose: str, make: Maker) -> None:
    _makers[purpose] = make


def attachments_for(purpose: str, registration_id: int | None) -> tuple[Attachment, ...]:
    """The files a mail of ``purpose`` carries; ``AttachmentUnavailable`` if its
    document cannot be made any more. Needs the application context."""
    make = _makers.get(purpose)
    if make is None:
        return ()
    attachment = None if registration_id is None else make(registration_id)
    if attachment is None:
        raise AttachmentUnavailable("le document joint ne peut plus être produit")
    return (attachment,)
