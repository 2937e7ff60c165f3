"""Series: their public pages and the form to follow one, the pages a
follower's or a registrant's personal link opens, and the team's list of
followers.

Every page a link in a mail opens shows a button: only its POST changes
anything, since mail scanners follow links."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from instant_coorace.errors import render_error
from instant_coorace.extensions import limiter
from instant_coorace.http_headers import personal_data
from instant_coorace.invitations import following
from instant_coorace.registrations.forms import ConfirmForm, PersonFields
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("series", __name__)
management = Blueprint("series_management", __name__, url_prefix="/gestion/series")


class FollowForm(PersonFields):
    """Who wants to follow a series: an address, a first and a last name."""

    def to_request(self) -> following.FollowRequest:
        return following.FollowRequest(
            email=self.email.data, first_name=self.first_name.data, last_name=self.last_name.data
        )


def follow_rate_limit() -> str:
    """The public forms' limit per visitor; the mails themselves are limited to
    one a day per series and address (``following.ask_to_follow``)."""
    return current_app.config["PUBLIC_REGISTRATION_RATE_LIMIT"]


@blueprint.errorhandler(following.FollowingError)
@management.errorhandler(following.FollowingError)
def following_error(error: following.FollowingError):
    return render_error(error.http_status, error.title, error.message)


@blueprint.get("/series/")
def series_list():
    return render_template("invitations/series_list.html", lines=following.public_series())


@blueprint.get("/series/<slug>")
def series_page(slug: str):
    return _series_page(slug, FollowForm(formdata=None))


@blueprint.post("/series/<slug>/suivre")
@personal_data
@limiter.limit(follow_rate_limit)
def follow(slug: str):
    form = FollowForm()
    if not form.validate_on_submit():
        return _series_page(slug, form, status=422)
    following.ask_to_follow(slug, form.to_request())
    return render_template(
        "invitations/series_follow_asked.html",
        page=following.series_page(slug),
        email=form.email.data,
    )


@blueprint.route("/suivi/<token>", methods=["GET", "POST"])
def confirm(token: str):
    mine = following.by_token(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        series = following.confirm(token)
        return render_template("invitations/series_followed.html", series=series)
    if mine.expired:
        raise following.ConfirmationExpired()
    return render_template("invitations/series_confirm.html", mine=mine, form=form, token=token)


@blueprint.route("/suivi/<token>/arreter", methods=["GET", "POST"])
def stop_following(token: str):
    mine = following.by_token(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        series = following.stop_following(token)
        return render_template("invitations/series_stopped.html", series=series)
    return render_template("invitations/series_stop.html", mine=mine, form=form, token=token)


@blueprint.route("/suivi/inscription/<token>", methods=["GET", "POST"])
def follow_as_registrant(token: str):
    offer = following.registrant_following(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        series = following.follow_as_registrant(token)
        return render_template("invitations/series_followed.html", series=series)
    return render_template(
        "invitations/series_registrant_follow.html", offer=offer, form=form, token=token
    )


@management.get("/")
@staff_required
def list_series():
    return render_template("invitations/series_manage_list.html", lines=following.series_figures())


@management.get("/<int:series_id>")
@staff_required
def series_followers(series_id: int):
    series, followers = following.followers_of(series_id)
    return render_template(
        "invitations/series_manage_followers.html", series=series, followers=followers
    )


def _series_page(slug: str, form: FollowForm, status: int = 200):
    return render_template(
        "invitations/series_page.html", page=following.series_page(slug), form=form
    ), status
