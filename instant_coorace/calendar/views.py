"""Calendar files over HTTP: downloads, subscribable feeds, the personal feed.

Feeds are polled by calendar applications every few hours: each answer carries
an ETag and a Last-Modified, and an unchanged feed costs a 304.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, request

from instant_coorace.calendar import feeds, links
from instant_coorace.database import utcnow
from instant_coorace.errors import render_error

blueprint = Blueprint("calendar", __name__)

FEED_MAX_AGE = 15 * 60
"""Seconds a client or proxy may reuse a feed before asking again (with its ETag)."""


@blueprint.app_context_processor
def calendar_helpers() -> dict:
    return {
        "add_to_calendar": links.add_to_calendar,
        "feed_subscription": links.feed_subscription,
    }


@blueprint.errorhandler(feeds.CalendarNotFound)
def calendar_not_found(error: feeds.CalendarNotFound):
    return render_error(error.http_status, "Agenda introuvable", error.message)


@blueprint.get("/evenements/<slug>/agenda.ics")
def event_download(slug: str):
    return _calendar_response(feeds.event_file(slug), download=True)


@blueprint.get("/inscription/<token>/agenda.ics")
def registration_download(token: str):
    return _calendar_response(feeds.registration_file(token), download=True)


@blueprint.get("/agenda.ics")
def all_events_feed():
    return _calendar_response(feeds.all_events_feed())


@blueprint.get("/agenda/serie/<slug>.ics")
def series_feed(slug: str):
    return _calendar_response(feeds.series_feed(slug))


@blueprint.get("/agenda/type/<kind>.ics")
def kind_feed(kind: str):
    return _calendar_response(feeds.kind_feed(kind))


@blueprint.get("/agenda/personnel/<token>.ics")
def personal_feed(token: str):
    return _calendar_response(feeds.personal_feed(token))


@blueprint.post("/inscription/<token>/agenda-personnel")
def personal_feed_address(token: str):
    """Show a new personal feed address, once; the previous one stops working."""
    feed_token = feeds.issue_feed_token_for_registration(token)
    return render_template(
        "calendar/personal_feed.html",
        subscription=links.personal_subscription(feed_token),
    )


def _calendar_response(calendar: feeds.CalendarFile, *, download: bool = False) -> Response:
    """Public calendars may be kept for a while by clients and proxies; the personal
    ones (token routes) are never stored, by the site's header policy."""
    response = Response(calendar.body, mimetype="text/calendar")
    disposition = "attachment" if download else "inline"
    response.headers.set("Content-Disposition", disposition, filename=calendar.filename)
    response.set_etag(calendar.etag)
    last_modified = _settled(calendar.last_modified)
    if last_modified is not None:  # werkzeug reads None as « now »
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response.make_conditional(request)


def _settled(last_modified: dt.datetime | None) -> dt.datetime | None:
    """Last-Modified counts whole seconds: while the second of the latest change is
    not over, another change could share it, and If-Modified-Since would then hide
    it. Until then only the ETag validates."""
    if last_modified is None or last_modified.replace(microsecond=0) >= utcnow().replace(
        microsecond=0
    ):
        return None
    return last_modified
