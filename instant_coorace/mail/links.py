"""Personal links in mail: the outbox stores a marker, never the link.

A personal link (a registration's own page today; a join or an unsubscribe
link tomorrow) opens something without a password. The outbox keeps what was
sent, so in place of each such link it keeps a marker that only names what the
link leads to, e.g. "the manage link of registration 42". The marker becomes
the real address in memory only, when the worker builds the message for the
SMTP server (``personalise``), from what the running application alone can
derive: the secret key and the nonce the registration holds. So a copy of the
database opens nothing, a mail sent again still carries working links, and
the team's pages show « [lien personnel] » where the link was.

Every marker is signed under the secret key, together with the mail it belongs
to and the version of the link it stands for (a registration's nonce):

- text typed by someone else (a name, a message from the team) cannot make a
  marker that resolves, in this mail or another;
- a link re-issued since the mail was rendered (a seat handed over) is not
  given to the late mail of its previous holder: that marker leads to the
  public site instead.

A domain that puts personal links in its mail registers a ``LinkKind``; the
mail package never imports the domains.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from flask import current_app
from markupsafe import escape

from instant_coorace.mail.message import MailContent

REDACTED = "[lien personnel]"
"""What the team sees where a mail carried a personal link."""

# ``[[lien:manage:42:<tag>]]``: characters that HTML, iCalendar TEXT and URL
# escaping all leave alone, so the marker survives any template unchanged.
_MARKER = re.compile(r"\[\[lien:([a-z_]{1,32}):(\d{1,18}):([A-Za-z0-9_-]{22})\]\]")
_PREFIX = "[[lien:"
# A folded iCalendar line goes on after a line break and one space or tab (RFC 5545, 3.1).
_FOLD = re.compile(r"\r\n[ \t]")
_LINE_END = re.compile(r"\r\n(?![ \t])")
_FOLD_OCTETS = 75

Resolver = Callable[[set[int]], dict[int, tuple[str, str]]]
"""For the referenced ids, ``{id: (version, url)}`` of every link that still
works, read in one query; an id left out has no working link any more."""

_kinds: dict[str, Resolver] = {}

UNSUBSCRIBE_LINK = "unsubscribe"
"""The kind of link of an unsubscribable mail's ``List-Unsubscribe`` header
(RFC 8058), whose ref is the mail's id; registered by the invitations domain."""


def register_link_kind(kind: str, resolve: Resolver) -> None:
    if not re.fullmatch(r"[a-z_]{1,32}", kind):
        raise ValueError(f"invalid link kind: {kind!r}")
    _kinds[kind] = resolve


def marker(mail_key: str, kind: str, ref: int, version: str) -> str:
    """What a template puts where the link of ``kind`` for ``ref`` goes, in the
    mail whose deduplication key is ``mail_key``; ``version`` is what the link is
    derived from now (it changes when the link is re-issued)."""
    if kind not in _kinds:
        raise LookupError(f"unknown link kind: {kind!r}")
    return f"{_PREFIX}{kind}:{ref}:{_tag(_secret(), mail_key, kind, ref, version)}]]"


def unsubscribe_urls(mail_ids: set[int]) -> dict[int, str]:
    """The one-click unsubscribe link of each of these mails, made now (never stored)."""
    if not mail_ids:
        return {}
    return {ref: url for ref, (_version, url) in _kinds[UNSUBSCRIBE_LINK](mail_ids).items()}


def redacted(text: str) -> str:
    """``text`` as the team may read it: every personal link replaced by « [lien personnel] »."""
    return _MARKER.sub(REDACTED, text) if _PREFIX in text else text


@dataclasses.dataclass(frozen=True)
class Personalised:
    """A mail's content with its links made real: lives in memory, never stored."""

    dedup_key: str
    to_email: str
    to_name: str
    subject: str
    text_body: str
    html_body: str
    calendar_text: str | None
    attachment_filename: str | None


def personalise(mails: Iterable[MailContent]) -> list[MailContent]:
    """The mails as they are sent: each marker replaced by its link, resolved
    for the whole batch in one query per kind of link. A mail without markers
    comes back as it was. Needs the application context (and its database
    session), so call it before handing the mails to another thread."""
    mails = list(mails)
    marked = {mail.dedup_key for mail in mails if _has_markers(mail)}
    if not marked:
        return mails
    links = _Links(mail for mail in mails if mail.dedup_key in marked)
    return [links.apply(mail) if mail.dedup_key in marked else mail for mail in mails]


def _has_markers(mail: MailContent) -> bool:
    return any(_PREFIX in text for text in _texts(mail))


def _texts(mail: MailContent) -> tuple[str, str, str]:
    """Where a mail may carry markers; its calendar unfolded, as a marker may span a fold."""
    return mail.text_body, mail.html_body, _unfolded(mail.calendar_text)


class _Links:
    """The links of a batch of mails, looked up once."""

    def __init__(self, mails: Iterable[MailContent]) -> None:
        refs: dict[str, set[int]] = defaultdict(set)
        for mail in mails:
            for text in _texts(mail):
                for kind, ref, _tag_value in _MARKER.findall(text):
                    if kind in _kinds:
                        refs[kind].add(int(ref))
        self.resolved = {kind: _kinds[kind](ids) for kind, ids in refs.items()}
        self.fallback = current_app.config["BASE_URL"] + "/"
        self.secret = _secret()

    def apply(self, mail: MailContent) -> Personalised:
        urls: dict[str, str] = {}  # a mail repeats its link in text, HTML and calendar

        def url(found: re.Match) -> str:
            if found.group(0) not in urls:
                urls[found.group(0)] = self._verified(mail.dedup_key, *found.groups())
            return urls[found.group(0)]

        return Personalised(
            dedup_key=mail.dedup_key,
            to_email=mail.to_email,
            to_name=mail.to_name,
            subject=mail.subject,
            text_body=_MARKER.sub(url, mail.text_body),
            html_body=_MARKER.sub(lambda found: str(escape(url(found))), mail.html_body),
            calendar_text=_in_calendar(mail.calendar_text, url),
            attachment_filename=mail.attachment_filename,
        )

    def _verified(self, mail_key: str, kind: str, ref: str, tag: str) -> str:
        """The link a marker stands for, if it was made for this mail and that
        link still works as it did then; otherwise the public site."""
        version, link = self.resolved.get(kind, {}).get(int(ref), (None, None))
        if link is None or not hmac.compare_digest(
            tag, _tag(self.secret, mail_key, kind, int(ref), version)
        ):
            return self.fallback
        return link


def _in_calendar(calendar: str | None, url: Callable[[re.Match], str]) -> str | None:
    """Markers replaced in a calendar, each line with one folded again (RFC 5545, 3.1)."""
    if not calendar or _PREFIX not in _unfolded(calendar):
        return calendar
    lines = _LINE_END.split(calendar)
    for number, line in enumerate(lines):
        if "\r\n" in line or _PREFIX in line:  # a marker may span a fold
            flat = _unfolded(line)
            if _PREFIX in flat:
                lines[number] = _folded(_MARKER.sub(url, flat))
    return "\r\n".join(lines)


def _unfolded(calendar_text: str | None) -> str:
    return _FOLD.sub("", calendar_text) if calendar_text else ""


def _folded(line: str) -> str:
    """A calendar line folded again after its link got in (RFC 5545, 3.1): at most
    75 octets a line, never cut inside a UTF-8 character or after a backslash."""
    data = line.encode()
    chunks, start, limit = [], 0, _FOLD_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while end > start + 1 and (data[end] & 0xC0 == 0x80 or data[end - 1] == ord("\\")):
            end -= 1
        chunks.append(data[start:end])
        start, limit = end, _FOLD_OCTETS - 1  # a continuation line starts with a space
    chunks.append(data[start:])
    return b"\r\n ".join(chunks).decode()


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def _tag(key: bytes, mail_key: str, kind: str, ref: int, version: str) -> str:
    message = "\x00".join(("mail-link", mail_key, kind, str(ref), version)).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
