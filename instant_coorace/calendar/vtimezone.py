"""The Europe/Paris VTIMEZONE, written as rules rather than a list of dates.

``icalendar``'s ``add_missing_timezones()`` writes one RDATE per transition,
which some clients (Outlook among them) mishandle and which stops at whatever
year the list ends. Two yearly rules describe the EU summer time that France
follows: summer time from the last Sunday of March at 02:00 local time, winter
time from the last Sunday of October at 03:00 local time.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

TZID = "Europe/Paris"

_WINTER = dt.timedelta(hours=1)
_SUMMER = dt.timedelta(hours=2)


def paris_vtimezone() -> Timezone:
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add("x-lic-location", TZID)
    timezone.add_component(
        _transition(
            TimezoneStandard(),
            name="CET",
            # 1970-10-25 was the last Sunday of October; 03:00 summer time becomes 02:00.
            starts=dt.datetime(1970, 10, 25, 3, 0),  # noqa: DTZ001 - local time by definition
            offset_from=_SUMMER,
            offset_to=_WINTER,
            month=10,
        )
    )
    timezone.add_component(
        _transition(
            TimezoneDaylight(),
            name="CEST",
            # 1970-03-29 was the last Sunday of March; 02:00 winter time becomes 03:00.
            starts=dt.datetime(1970, 3, 29, 2, 0),  # noqa: DTZ001 - local time by definition
            offset_from=_WINTER,
            offset_to=_SUMMER,
            month=3,
        )
    )
    return timezone


def _transition(component, *, name, starts, offset_from, offset_to, month):
    component.add("tzname", name)
    component.add("dtstart", starts)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    component.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
    return component
