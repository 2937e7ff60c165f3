"""Dates and times as the pages and mails say them, read aloud as well as seen."""

from __future__ import annotations

import datetime as dt

from instant_coorace.formatting import french_date_span, french_time_range, paris_datetime


def test_a_slot_of_one_day_reads_from_one_time_to_the_other():
    day = dt.date(2025, 4, 3)
    assert (
        french_time_range(paris_datetime(day, 9), paris_datetime(day, 12, 30))
        == "jeudi 3 avril 2025 de 9 h à 12 h 30"
    )


def test_a_slot_over_two_days_gives_both_moments():
    start = paris_datetime(dt.date(2025, 4, 3), 14)
    end = paris_datetime(dt.date(2025, 4, 4), 12)
    assert (
        french_time_range(start, end)
        == "du jeudi 3 avril 2025 à 14 h au vendredi 4 avril 2025 à 12 h"
    )


def test_a_summer_slot_is_told_in_paris_time_not_utc():
    start = dt.datetime(2025, 7, 1, 7, 30, tzinfo=dt.UTC)
    assert french_time_range(start, start + dt.timedelta(hours=2)) == (
        "mardi 1 juillet 2025 de 9 h 30 à 11 h 30"
    )


def test_an_event_over_several_days_names_its_first_and_last():
    start = paris_datetime(dt.date(2027, 2, 1), 9)
    assert french_date_span(start, start + dt.timedelta(hours=3)) == "lundi 1 février 2027"
    assert french_date_span(start, start + dt.timedelta(days=1, hours=8)) == (
        "du lundi 1 février 2027 au mardi 2 février 2027"
    )
