"""Two workers scanning at once: each reminder is queued exactly once, and on
PostgreSQL a worker skips the events another one holds instead of waiting."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import func, select, text

from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.reminders.scan import queue_due_reminders
from instant_coorace.reminders.schedule import ReminderKind
from tests.builders import applicant, make_structure, register_in_bulk
from tests.reminder_helpers import event_on, paris

J1 = ReminderKind.DAY_BEFORE.value


def _day_before_keys() -> list[str]:
    db.session.rollback()  # a fresh snapshot: the workers committed since
    query = select(OutgoingMail.dedup_key).where(OutgoingMail.purpose == J1)
    return list(db.session.scalars(query))


def test_two_workers_racing_queue_each_reminder_once(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_ids = [event_on(dt.date(2031, 4, 3), 10) for _ in range(6)]
        register_in_bulk(event_ids, 6 * 25, [make_structure().id])
        confirmed = db.session.scalar(
            select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED)
        )
        clock.move_to(paris(2031, 4, 2, 10, 1))
        start = threading.Barrier(2)
        added: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            with app.app_context():
                try:
                    start.wait(timeout=10)
                    for _ in range(3):
                        added.append(queue_due_reminders())
                except BaseException as error:
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    keys = _day_before_keys()
    assert len(keys) == len(set(keys)) == confirmed > 100
    assert sum(added) == confirmed


# FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite runs one writer at a time.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_skips_an_event_another_one_holds(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        with db.engine.connect() as other_worker:
            other_worker.execute(text("SET lock_timeout = '5s'"))
            other_worker.execute(
                text("SELECT id FROM event WHERE id = :id FOR UPDATE"), {"id": event_id}
            )
            db.session.execute(text("SET lock_timeout = '2s'"))
            assert queue_due_reminders() == 0  # skipped, not waited for
            other_worker.rollback()
        assert queue_due_reminders() == 1
    assert db.session.scalar(select(func.count()).where(OutgoingMail.purpose == J1)) == 1
