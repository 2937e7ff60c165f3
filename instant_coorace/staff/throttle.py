"""Per-account login throttling, whatever the address the attempts come from.

The first few failed logins cost nothing; after them each failure makes the
account wait twice as long before the next try, up to ``MAX_DELAY``. Nobody can
lock an account for good: the wait never exceeds ``MAX_DELAY``, the count is
forgotten a day after the last failure and cleared by a success, and a browser
its owner already logged in with is not kept waiting (``known_device``).
The state lives in the account's row, so every process and machine shares it.
"""

from __future__ import annotations

import datetime as dt

from instant_coorace.staff.models import StaffUser

#: Failures allowed before any wait (typos, a forgotten caps lock).
FREE_FAILURES = 5
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
#: A count this old starts afresh.
FORGET_AFTER = dt.timedelta(days=1)


def delay_after(failures: int) -> dt.timedelta:
    """How long an account waits after ``failures`` failed logins in a row."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def retry_at(user: StaffUser, now: dt.datetime) -> dt.datetime | None:
    """When ``user`` may try again, if that is still to come."""
    last = user.last_failed_login_at
    if last is None or now - last > FORGET_AFTER:
        return None
    moment = last + delay_after(user.failed_logins)
    return moment if moment > now else None


def record_failure(user: StaffUser, now: dt.datetime) -> None:
    last = user.last_failed_login_at
    forgotten = last is None or now - last > FORGET_AFTER
    user.failed_logins = 1 if forgotten else (user.failed_logins or 0) + 1
    user.last_failed_login_at = now


def record_success(user: StaffUser) -> None:
    user.failed_logins = 0
    user.last_failed_login_at = None
