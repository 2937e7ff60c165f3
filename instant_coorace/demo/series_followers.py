"""Demo: « L'Instant Coorace » followed by a handful of people who confirmed
(some of those who came in 2025), and one person who asked from the series'
page and has not confirmed yet (their confirmation mail is in the outbox)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, Series
from instant_coorace.extensions import db
from instant_coorace.invitations import following
from instant_coorace.invitations.models import SeriesFollower
from instant_coorace.registrations.models import Registration
from instant_coorace.transactions import write_transaction

SERIES_NAME = "L'Instant Coorace"
DESCRIPTION = (
    "Chaque trimestre, une heure et demie en visio pour les structures adhérentes : "
    "l'actualité du réseau, un sujet de fond (financements, RSE, accompagnement des "
    "salarié·es en parcours) et le temps de vos questions."
)
CONFIRMED_FOLLOWERS = 6
PENDING = following.FollowRequest(
    email="lea.garnier@example.org", first_name="Léa", last_name="Garnier"
)


def load_series_followers(rng: random.Random) -> None:
    series = db.session.scalars(select(Series).where(Series.name == SERIES_NAME)).one_or_none()
    if series is None:
        return
    with write_transaction():
        series = db.session.get(Series, series.id)
        series.description = series.description or DESCRIPTION
        came = db.session.scalars(
            select(Registration.person_id)
            .join(Event, Event.id == Registration.event_id)
            .where(Event.series_id == series.id, Event.starts_at < utcnow())
            .distinct()
            .order_by(Registration.person_id)
        ).all()
        for person_id in rng.sample(list(came), min(CONFIRMED_FOLLOWERS, len(came))):
            follower = SeriesFollower(
                series_id=series.id,
                person_id=person_id,
                confirmed_at=utcnow() - dt.timedelta(days=rng.randint(10, 300)),
            )
            follower.created_at = follower.confirmed_at
            following.follower_token(follower)
            db.session.add(follower)
    following.ask_to_follow(series.slug, PENDING)
