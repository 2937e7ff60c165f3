"""Several workers, crashes and the command: each mail leaves exactly once."""

from __future__ import annotations

import collections
import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.mail.delivery import SmtpTransport
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.worker import claim_batch, deliver_batch, deliver_due_mail, run_forever
from tests.builders import queue_mail

pytest_plugins = ("tests.smtp_server",)


def statuses() -> list[MailStatus]:
    db.session.rollback()  # a fresh read: outcomes are written on their own connection
    return list(db.session.scalars(select(OutgoingMail.status).order_by(OutgoingMail.id)))


def test_two_racing_workers_deliver_each_mail_exactly_once(smtp_app, smtp_server):
    smtp_app.config["MAIL_BATCH_SIZE"] = 4
    for number in range(60):
        queue_mail(number)
    start = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        with smtp_app.app_context():  # its own session and connection
            start.wait()
            try:
                handled.append(deliver_due_mail())
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
    assert sum(handled) == 60
    assert all(handled), "both workers should have taken part"
    ids = collections.Counter(mail.message["Message-ID"] for mail in smtp_server.received)
    assert len(ids) == 60
    assert max(ids.values()) == 1
    assert set(statuses()) == {MailStatus.SENT}


def test_mail_of_a_crashed_worker_goes_once_its_lease_expires(smtp_app, smtp_server):
    queue_mail(1)
    [claimed] = claim_batch()  # the worker dies here, before sending
    assert statuses() == [MailStatus.SENDING]

    assert deliver_due_mail() == 0  # the lease still protects it
    assert smtp_server.received == []

    with time_machine.travel(claimed.lease + dt.timedelta(seconds=1)):
        assert deliver_due_mail() == 1
        assert deliver_due_mail() == 0
    assert len(smtp_server.received) == 1
    assert statuses() == [MailStatus.SENT]


def test_a_mail_that_stops_its_worker_every_time_ends_in_failure(smtp_app, smtp_server):
    """A worker that dies while sending this mail, attempt after attempt (the lease
    expires each time), must not keep it in the outbox forever."""
    smtp_app.config["MAIL_MAX_ATTEMPTS"] = 3
    mail_id = queue_mail(1).id
    lease = None
    for _ in range(3):
        with time_machine.travel(lease or utcnow()):
            [claimed] = claim_batch()  # …and the worker dies
        lease = claimed.lease + dt.timedelta(seconds=1)

    with time_machine.travel(lease):
        assert claim_batch() == []
    db.session.rollback()
    abandoned = db.session.get(OutgoingMail, mail_id)
    assert abandoned.status is MailStatus.FAILED
    assert "interrompu à chaque tentative" in abandoned.last_error
    assert "3 tentatives" in abandoned.last_error
    assert smtp_server.received == []


def test_a_worker_waking_after_its_lease_sends_nothing_more(smtp_app, smtp_server):
    queue_mail(1)
    stale_batch = claim_batch()  # this worker stalls…
    with time_machine.travel(stale_batch[0].lease + dt.timedelta(seconds=1)):
        assert deliver_due_mail() == 1  # …another one takes over
        deliver_batch(stale_batch)  # …and the first one wakes up
    assert len(smtp_server.received) == 1
    assert statuses() == [MailStatus.SENT]


def test_a_late_outcome_does_not_overwrite_the_new_owners(smtp_app, smtp_server):
    """Even if a stale worker got to send, it cannot mark a mail it no longer owns."""
    queue_mail(1)
    stale_batch = claim_batch()
    smtp_server.stop()
    with time_machine.travel(stale_batch[0].lease + dt.timedelta(seconds=1)):
        fresh_batch = claim_batch()
    smtp_server.start()
    # The stale worker's clock says its lease has 10 s left (more than the 5 s margin).
    with time_machine.travel(stale_batch[0].lease - dt.timedelta(seconds=10)):
        deliver_batch(stale_batch)
    assert statuses() == [MailStatus.SENDING]  # still the fresh worker's
    deliver_batch(fresh_batch)
    assert statuses() == [MailStatus.SENT]


def test_a_worker_failing_mid_batch_keeps_what_it_sent_and_only_the_rest_goes_again(
    smtp_app, smtp_server, monkeypatch
):
    """Outcomes are committed on a helper thread while the next mail is on the wire:
    when the worker stops mid-batch, the mails already accepted stay « sent »,
    and only the others go again once the lease expires."""
    for number in range(5):
        queue_mail(number)
    real_send = SmtpTransport.send
    calls = 0

    def send_then_break(transport, mail, wire):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the worker breaks while sending the third mail")
        real_send(transport, mail, wire)

    monkeypatch.setattr(SmtpTransport, "send", send_then_break)
    batch = claim_batch()
    with pytest.raises(RuntimeError):
        deliver_batch(batch)
    monkeypatch.undo()

    assert statuses() == [MailStatus.SENT] * 2 + [MailStatus.SENDING] * 3
    with time_machine.travel(batch[0].lease + dt.timedelta(seconds=1)):
        assert deliver_due_mail() == 3
    assert statuses() == [MailStatus.SENT] * 5
    ids = collections.Counter(mail.message["Message-ID"] for mail in smtp_server.received)
    assert len(ids) == 5 and max(ids.values()) == 1


def test_cancelled_and_future_mail_is_left_alone(smtp_app, smtp_server):
    cancelled = queue_mail(1)
    later = queue_mail(2, commit=False)
    cancelled.status = MailStatus.CANCELLED
    later.next_attempt_at = utcnow() + dt.timedelta(hours=1)
    db.session.commit()
    assert deliver_due_mail() == 0
    assert smtp_server.received == []


def test_flask_worker_once_delivers_what_is_due(smtp_app, smtp_server):
    queue_mail(1)
    queue_mail(2)
    result = smtp_app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.received) == 2
    assert statuses() == [MailStatus.SENT, MailStatus.SENT]


def test_the_worker_loop_delivers_new_mail_and_stops_when_asked(smtp_app, smtp_server):
    smtp_app.config["MAIL_WORKER_POLL_SECONDS"] = 0.05
    stop = threading.Event()
    loop = threading.Thread(target=run_forever, args=(smtp_app, stop))
    loop.start()
    try:
        queue_mail(1)
        for _ in range(100):
            if smtp_server.received:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert len(smtp_server.received) == 1
