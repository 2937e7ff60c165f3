"""Following a series: asking to, confirming by mail, stopping; and what the
public and the team see of a series and its followers.

Anyone can type any address on the public form, so following from it always
waits for the person to confirm from a mail (double opt-in). A registrant
follows in one click from their confirmation mail: their personal link
already proves the address is theirs.

A follower's personal link (confirm, stop following) is the HMAC of a nonce
the row keeps, under the secret key; only its SHA-256 is stored, and mail
carries a marker in its place (``mail/links.py``). The confirmation expires
``CONFIRMATION_VALID_FOR`` after it was asked for; asking again sends at most
one mail a day per series and address, so typing someone's address again and
again does not flood them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hmac
import secrets

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from instant_coorace.addresses import stored_email
from instant_coorace.database import utcnow
from instant_coorace.events import catalogue
from instant_coorace.events.models import Event, EventStatus, Series
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date
from instant_coorace.invitations.models import SeriesFollower, Unsubscription
from instant_coorace.mail.links import marker, register_link_kind
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.outbox import Recipient, enqueue_pending, mail_key
from instant_coorace.mail.rendering import Rendered, register_renderer
from instant_coorace.members.models import Person
from instant_coorace.registrations.errors import RegistrationNotFound
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.placement import person_id_for
from instant_coorace.registrations.services import find_by_token
from instant_coorace.registrations.tokens import derive_token, hash_token, working_tokens
from instant_coorace.transactions import write_transaction
from instant_coorace.urls import absolute_url

CONFIRMATION_VALID_FOR = dt.timedelta(days=7)
_LINK_PURPOSE = "series-follower-link"

#: Link kinds (``mail/links.py``): a follower's confirmation, a follower's
#: « ne plus suivre », and a registrant's « suivre la série » (ref: the registration).
CONFIRM_LINK = "series_confirm"
STOP_LINK = "series_stop"
REGISTRANT_FOLLOW_LINK = "series_follow"


class Notice(enum.StrEnum):
    CONFIRM = "series_follow_confirm"
    ALREADY_FOLLOWING = "series_already_following"


SUBJECTS = {
    Notice.CONFIRM: "Confirmez : suivre la série « {name} »",
    Notice.ALREADY_FOLLOWING: "Vous suivez déjà la série « {name} »",
}


class FollowingError(Exception):
    http_status = 404
    title = "Lien introuvable"
    message = (
        "Ce lien ne correspond à aucun suivi de série : il est incomplet, ou vous ne "
        "suivez plus cette série. Rien n'a été modifié."
    )


class SeriesNotFound(FollowingError):
    title = "Série introuvable"
    message = "Cette série n'existe pas."


class ConfirmationExpired(FollowingError):
    http_status = 410
    title = "Lien expiré"
    message = (
        "Ce lien de confirmation a expiré : rien n'a été modifié. Pour suivre la série, "
        "remplissez à nouveau le formulaire de sa page ; un nouveau lien vous sera envoyé."
    )


class NotInASeries(FollowingError):
    title = "Pas de série"
    message = "Cet événement ne fait partie d'aucune série."


@dataclasses.dataclass(frozen=True)
class FollowRequest:
    """What a person types on a series' page to follow it."""

    email: str
    first_name: str
    last_name: str


# The public pages


@dataclasses.dataclass(frozen=True)
class SeriesLine:
    series: Series
    upcoming: int


def public_series() -> list[SeriesLine]:
    """Every series, by name, with how many of its events are published and to come."""
    upcoming = (
        select(Event.series_id, func.count().label("upcoming"))
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= utcnow())
        .group_by(Event.series_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Series, func.coalesce(upcoming.c.upcoming, 0))
        .outerjoin(upcoming, upcoming.c.series_id == Series.id)
        .order_by(Series.name)
    )
    return [SeriesLine(series, count) for series, count in rows]


@dataclasses.dataclass(frozen=True)
class SeriesPage:
    series: Series
    events: list[catalogue.EventOverview]


def series_page(slug: str) -> SeriesPage:
    series = db.session.scalars(select(Series).where(Series.slug == slug)).one_or_none()
    if series is None:
        raise SeriesNotFound()
    return SeriesPage(
        series, catalogue.upcoming_events(catalogue.CatalogueFilters(series_id=series.id))
    )


# Following


def ask_to_follow(slug: str, request: FollowRequest) -> None:
    """Someone asks, from the series' page, to follow it: a mail goes to the
    address, with the confirmation link (or, if it follows already, saying so),
    at most one of each a day. The page says the same either way, so it reveals
    nothing of who follows what. A person already known keeps their record as it is.
    """
    email = stored_email(request.email)
    now = utcnow()
    with write_transaction():
        series = _locked_series(slug)
        person_id = person_id_for(
            email,
            {
                "first_name": request.first_name,
                "last_name": request.last_name,
                "job_title": "",
                "structure_id": None,
                "other_structure_name": "",
            },
        )
        follower = _follower(series.id, person_id) or _new_follower(series.id, person_id)
        day = now.strftime("%Y%m%d")
        if follower.is_confirmed:
            _queue(follower, email, Notice.ALREADY_FOLLOWING, f"{follower.id}:{day}")
            return
        if follower.token_nonce is None or _expired(follower, now):
            _issue_token(follower)
        version = f"{follower.id}:{follower.token_nonce}:{day}"
        if _queue(follower, email, Notice.CONFIRM, version):
            follower.confirmation_sent_at = now


@dataclasses.dataclass(frozen=True)
class PersonalFollowing:
    """What a follower's link opens: the series, and where their following stands."""

    series: Series
    person: Person
    confirmed: bool
    expired: bool


def by_token(token: str) -> PersonalFollowing:
    follower = _by_token(token)
    return PersonalFollowing(
        follower.series,
        follower.person,
        follower.is_confirmed,
        not follower.is_confirmed and _expired(follower, utcnow()),
    )


def confirm(token: str) -> Series:
    """The person confirms, from their mail, that they follow the series.

    Following is an explicit act of the person, like registering: it undoes
    their own earlier unsubscription (their address leaves ``Unsubscription``),
    or the announcements they just asked for would never reach them. A link
    expired or forged changes nothing.
    """
    with write_transaction():
        follower = _by_token(token, for_update=True)
        if not follower.is_confirmed:
            if _expired(follower, utcnow()):
                raise ConfirmationExpired()
            follower.confirmed_at = utcnow()
            _forget_unsubscription(follower.person.email)
        return follower.series


def stop_following(token: str) -> Series:
    """The person stops following (from a mail's « ne plus suivre cette série »)."""
    with write_transaction():
        follower = _by_token(token, for_update=True)
        series = follower.series
        db.session.delete(follower)
    return series


@dataclasses.dataclass(frozen=True)
class RegistrantFollowing:
    series: Series
    person: Person
    already: bool


def registrant_following(registration_token: str) -> RegistrantFollowing:
    """The series a registrant's link offers to follow, and whether they do already."""
    registration = _registration(registration_token)
    follower = _follower(registration.event.series_id, registration.person_id)
    return RegistrantFollowing(
        registration.event.series,
        registration.person,
        follower is not None and follower.is_confirmed,
    )


def follow_as_registrant(registration_token: str) -> Series:
    """A registrant follows the series of their event in one click: their personal
    link proves the address, so no confirmation mail. Like ``confirm``, it undoes
    their own earlier unsubscription."""
    with write_transaction():
        registration = _registration(registration_token)
        series = _locked_series(registration.event.series.slug)
        follower = _follower(series.id, registration.person_id) or _new_follower(
            series.id, registration.person_id
        )
        if not follower.is_confirmed:
            follower.confirmed_at = utcnow()
            follower_token(follower)  # for the « ne plus suivre » link of later mails
            _forget_unsubscription(registration.person.email)
    return series


# Links in mail


def stop_following_link(mail_key: str, follower: SeriesFollower) -> str:
    """The personal « ne plus suivre cette série » link to put in a mail sent to
    ``follower`` (an announcement of the series' next event, say), in the mail
    whose deduplication key is ``mail_key``; call it while rendering the mail.
    It returns a marker (``mail/links.py``) that becomes the link only as the
    mail leaves; the link opens a page whose button stops the following."""
    follower_token(follower)  # re-issued first if it has none or the secret key changed
    return marker(mail_key, STOP_LINK, follower.id, follower.token_nonce)


def follower_token(follower: SeriesFollower) -> str:
    """The token of ``follower``'s current link, issued if it has none (or the
    secret key changed since); the caller's transaction stores the change."""
    if follower.token_nonce is None or not hmac.compare_digest(
        hash_token(_derive(follower.token_nonce)), follower.token_hash or ""
    ):
        _issue_token(follower)
    return _derive(follower.token_nonce)


def series_follow_link(mail_key: str, registration: Registration) -> str | None:
    """The registrant's « suivre cette série » link for a mail about their
    registration, or ``None`` when the event belongs to no series."""
    if registration.event.series_id is None:
        return None
    return marker(mail_key, REGISTRANT_FOLLOW_LINK, registration.id, registration.token_nonce)


def _follower_urls(endpoint: str):
    def resolve(follower_ids: set[int]) -> dict[int, tuple[str, str]]:
        rows = db.session.execute(
            select(SeriesFollower.id, SeriesFollower.token_nonce, SeriesFollower.token_hash).where(
                SeriesFollower.id.in_(follower_ids), SeriesFollower.token_nonce.is_not(None)
            )
        )
        urls = {}
        for follower_id, nonce, token_hash in rows:
            token = _derive(nonce)
            if hmac.compare_digest(hash_token(token), token_hash or ""):
                urls[follower_id] = (nonce, absolute_url(endpoint, token=token))
        return urls

    return resolve


def _registrant_follow_urls(registration_ids: set[int]) -> dict[int, tuple[str, str]]:
    return {
        registration_id: (nonce, absolute_url("series.follow_as_registrant", token=token))
        for registration_id, (nonce, token) in working_tokens(registration_ids).items()
    }


register_link_kind(CONFIRM_LINK, _follower_urls("series.confirm"))
register_link_kind(STOP_LINK, _follower_urls("series.stop_following"))
register_link_kind(REGISTRANT_FOLLOW_LINK, _registrant_follow_urls)


# The team's view


@dataclasses.dataclass(frozen=True)
class SeriesFigures:
    series: Series
    confirmed: int
    pending: int


def series_figures() -> list[SeriesFigures]:
    """Every series with how many follow it (confirmed) and wait to confirm."""
    confirmed = func.count(SeriesFollower.confirmed_at)
    rows = db.session.execute(
        select(Series, confirmed, func.count(SeriesFollower.id) - confirmed)
        .outerjoin(SeriesFollower, SeriesFollower.series_id == Series.id)
        .group_by(Series.id)
        .order_by(Series.name)
    )
    return [SeriesFigures(series, confirmed, pending) for series, confirmed, pending in rows]


def followers_of(series_id: int) -> tuple[Series, list[SeriesFollower]]:
    """A series and its followers, confirmed first, each with their person."""
    series = db.session.get(Series, series_id)
    if series is None:
        raise SeriesNotFound()
    followers = db.session.scalars(
        select(SeriesFollower)
        .where(SeriesFollower.series_id == series_id)
        .options(selectinload(SeriesFollower.person))
        .order_by(SeriesFollower.confirmed_at.is_(None), SeriesFollower.id)
    ).all()
    return series, list(followers)


def announcement_audience(event: Event) -> int | None:
    """How many followers an announcement of ``event`` would reach: those who
    confirmed, neither unsubscribed nor anonymised. ``None`` when there is
    nothing to announce (no series, not published, or over)."""
    if event.series_id is None or event.status is not EventStatus.PUBLISHED:
        return None
    if event.ends_at is not None and event.ends_at < utcnow():
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(SeriesFollower)
        .join(Person, Person.id == SeriesFollower.person_id)
        .where(
            SeriesFollower.series_id == event.series_id,
            SeriesFollower.confirmed_at.is_not(None),
            Person.anonymised_at.is_(None),
            Person.email.not_in(select(Unsubscription.email)),
        )
    )


# Mail


def _queue(follower: SeriesFollower, email: str, notice: Notice, version: str) -> bool:
    mail_id = enqueue_pending(
        purpose=notice.value,
        dedup_key=mail_key(notice.value, None, version),
        recipient=Recipient(email, follower.person.full_name),
        render_args={"follower_id": follower.id, "nonce": follower.token_nonce},
    )
    return mail_id is not None


def render(mail: OutgoingMail) -> Rendered | None:
    """The mail as it is sent; ``None`` when it no longer applies (the person
    stopped following, confirmed already, or a newer link was sent)."""
    notice = Notice(mail.purpose)
    follower = db.session.get(SeriesFollower, mail.render_args["follower_id"])
    if follower is None:
        return None
    if notice is Notice.CONFIRM and (
        follower.is_confirmed or follower.token_nonce != mail.render_args["nonce"]
    ):
        return None
    if notice is Notice.ALREADY_FOLLOWING and not follower.is_confirmed:
        return None
    subject = SUBJECTS[notice].format(name=follower.series.name)
    sent_at = follower.confirmation_sent_at or utcnow()
    context = {
        "subject": subject,
        "series": follower.series,
        "person": follower.person,
        "series_url": absolute_url("series.series_page", slug=follower.series.slug),
        "confirm_url": marker(mail.dedup_key, CONFIRM_LINK, follower.id, follower.token_nonce)
        if notice is Notice.CONFIRM
        else None,
        "valid_until": french_date(sent_at + CONFIRMATION_VALID_FOR),
        "stop_url": stop_following_link(mail.dedup_key, follower)
        if notice is Notice.ALREADY_FOLLOWING
        else None,
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
    }
    return Rendered(
        subject=subject,
        text_body=render_template(f"email/{notice.value}.txt", **context),
        html_body=render_template(f"email/{notice.value}.html", **context),
    )


for _notice in Notice:
    register_renderer(_notice.value, render)


# Helpers


def _locked_series(slug: str) -> Series:
    """The series, locked on PostgreSQL so that two requests for one person
    cannot both create their following (SQLite writes one at a time)."""
    series = db.session.scalars(
        select(Series).where(Series.slug == slug).with_for_update()
    ).one_or_none()
    if series is None:
        raise SeriesNotFound()
    return series


def _follower(series_id: int | None, person_id: int) -> SeriesFollower | None:
    return db.session.scalars(
        select(SeriesFollower).where(
            SeriesFollower.series_id == series_id, SeriesFollower.person_id == person_id
        )
    ).one_or_none()


def _new_follower(series_id: int, person_id: int) -> SeriesFollower:
    follower = SeriesFollower(series_id=series_id, person_id=person_id)
    db.session.add(follower)
    db.session.flush()
    return follower


def _by_token(token: str, *, for_update: bool = False) -> SeriesFollower:
    query = select(SeriesFollower).where(SeriesFollower.token_hash == hash_token(token))
    if for_update:
        query = query.with_for_update()
    follower = db.session.scalars(query).one_or_none()
    if follower is None:
        raise FollowingError()
    return follower


def _registration(token: str) -> Registration:
    try:
        registration = find_by_token(token)
    except RegistrationNotFound:
        raise FollowingError() from None
    if registration.event.series_id is None:
        raise NotInASeries()
    return registration


def _issue_token(follower: SeriesFollower) -> None:
    """A new link for ``follower``; the previous one stops working."""
    follower.token_nonce = secrets.token_hex(16)
    follower.token_hash = hash_token(_derive(follower.token_nonce))


def _derive(nonce: str) -> str:
    return derive_token(nonce, _LINK_PURPOSE)


def _expired(follower: SeriesFollower, now: dt.datetime) -> bool:
    sent_at = follower.confirmation_sent_at
    return sent_at is None or now - sent_at > CONFIRMATION_VALID_FOR


def _forget_unsubscription(email: str) -> None:
    db.session.execute(delete(Unsubscription).where(Unsubscription.email == stored_email(email)))
