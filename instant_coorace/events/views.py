"""Public pages: the agenda of upcoming events and each event's page."""

from __future__ import annotations

import enum

from flask import Blueprint, abort, render_template, request
from wtforms import SelectField

from instant_coorace import labels
from instant_coorace.choices import departments, labelled
from instant_coorace.events import catalogue
from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.forms import SiteForm

blueprint = Blueprint("events", __name__)


class FilterForm(SiteForm):
    """The agenda's filters, read from the query string; unknown values mean « all »."""

    class Meta:
        csrf = False

    kind = SelectField(
        "Type d'événement",
        choices=labelled(labels.EVENT_KIND, blank="Tous"),
        validate_choice=False,
    )
    format = SelectField(
        "Format",
        choices=labelled(labels.EVENT_FORMAT, blank="Tous"),
        validate_choice=False,
    )
    department = SelectField(
        "Département",
        choices=departments(blank="Tous"),
        validate_choice=False,
    )

    def to_filters(self) -> catalogue.CatalogueFilters:
        return catalogue.CatalogueFilters(
            kind=_enum_or_none(EventKind, self.kind.data),
            format=_enum_or_none(EventFormat, self.format.data),
            department=self.department.data if self.department.data in labels.DEPARTMENTS else None,
        )


def _enum_or_none(enum_class: type[enum.Enum], value: str | None) -> enum.Enum | None:
    try:
        return enum_class(value)
    except ValueError:
        return None


@blueprint.get("/", endpoint="catalogue")
def catalogue_page():
    form = FilterForm(formdata=request.args)
    filters = form.to_filters()
    events = catalogue.upcoming_events(filters)
    filtered = filters != catalogue.CatalogueFilters()
    return render_template(
        "events/catalogue.html",
        form=form,
        events=events,
        filtered=filtered,
        feed_kind=filters.kind,
    )


@blueprint.get("/evenements/<slug>")
def event_page(slug: str):
    overview = catalogue.public_event(slug)
    if overview is None:
        abort(404)
    return render_template("events/event.html", overview=overview)
