"""`flask demo` has a webinar whose J-1 reminder the worker writes minutes later."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import time_machine

from instant_coorace.database import utcnow
from instant_coorace.demo.reminders import MINUTES_AHEAD, REGISTRANTS
from tests.test_stored_links import SENT_LINK, assert_no_working_link_is_stored


def test_the_demo_webinar_is_reminded_minutes_after_loading(app, runner, client):
    loaded = utcnow()
    with time_machine.travel(loaded, tick=False) as clock:
        assert runner.invoke(args=["demo"]).exit_code == 0
        clock.shift(dt.timedelta(minutes=MINUTES_AHEAD - 1))
        assert runner.invoke(args=["worker", "--once"]).exit_code == 0
        folder = Path(app.instance_path) / "mail"
        assert list(folder.glob("*reminder_day_before.eml")) == []
        clock.shift(dt.timedelta(minutes=2))
        assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    reminders = list(folder.glob("*reminder_day_before.eml"))
    assert len(reminders) == REGISTRANTS
    text = (
        message_from_bytes(reminders[0].read_bytes(), policy=policy.default)
        .get_body(("plain",))
        .get_content()
    )
    # The personal tracked join link, never the raw visio URL.
    assert "En visio : http://localhost/j/" in text
    assert "https://visio.example.org/instant-coorace" not in text
    assert "text/calendar" in reminders[0].read_text()
    # The reminders carried the personal link; the outbox keeps only its marker.
    assert SENT_LINK.search(text)
    assert_no_working_link_is_stored(client)
