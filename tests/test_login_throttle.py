"""Each staff account is protected on its own: failed logins make it wait,
whatever the addresses they come from, without anyone locking it for good."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.staff import throttle
from instant_coorace.staff.models import StaffUser
from tests.builders import make_staff

LOGIN = "/gestion/connexion"
EMAIL = "equipe@coorace-occitanie.example.org"
PASSWORD = "mot-de-passe-solide"


@pytest.fixture
def proxied(make_app, app):
    """A browser behind one trusted proxy, coming from ``address``."""
    behind_proxy = make_app(TRUSTED_PROXIES=1)

    def browser(address: str):
        client = behind_proxy.test_client()
        client.environ_base.update(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address)
        return client

    return browser


def log_in(client, password: str, email: str = EMAIL):
    return client.post(LOGIN, data={"email": email, "password": password})


def account() -> StaffUser:
    db.session.expire_all()
    return db.session.scalars(select(StaffUser).where(StaffUser.email == EMAIL)).one()


def move_failures_back(by: dt.timedelta) -> None:
    user = account()
    user.last_failed_login_at -= by
    db.session.commit()


def test_an_attacker_cycling_addresses_still_makes_the_account_wait(app, proxied):
    make_staff(EMAIL, PASSWORD)
    for number in range(throttle.FREE_FAILURES):
        assert log_in(proxied(f"203.0.113.{number}"), "devine").status_code == 200

    refused = log_in(proxied("198.51.100.7"), PASSWORD)

    page = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 429
    assert 20 <= int(refused.headers["Retry-After"]) <= 30  # 30 s after the last failure
    assert "Trop d'essais infructueux pour ce compte : réessayez dans 1 minute" in page
    assert refused.headers.get("Set-Cookie", "").find("session=") == -1
    assert account().failed_logins == throttle.FREE_FAILURES


def test_after_the_wait_the_owner_logs_in_and_the_count_starts_afresh(app, client):
    make_staff(EMAIL, PASSWORD)
    for _ in range(throttle.FREE_FAILURES):
        log_in(client, "devine")
    move_failures_back(throttle.FIRST_DELAY)

    assert log_in(client, PASSWORD).location == "/gestion/"
    assert account().failed_logins == 0 and account().last_failed_login_at is None


def test_each_further_failure_doubles_the_wait_up_to_a_cap(app, client):
    make_staff(EMAIL, PASSWORD)
    waits = []
    for _ in range(throttle.FREE_FAILURES + 8):
        log_in(client, "devine")
        user = account()
        until = throttle.retry_at(user, utcnow())
        waits.append(round((until - user.last_failed_login_at).total_seconds()) if until else 0)
        if until:
            move_failures_back(until - user.last_failed_login_at)

    free = throttle.FREE_FAILURES - 1
    assert waits[:free] == [0] * free
    assert waits[free:] == [30, 60, 120, 240, 480, 900, 900, 900, 900]


def test_a_count_a_day_old_is_forgotten(app, client):
    make_staff(EMAIL, PASSWORD)
    for _ in range(throttle.FREE_FAILURES + 3):
        log_in(client, "devine")
        move_failures_back(throttle.MAX_DELAY)
    move_failures_back(throttle.FORGET_AFTER)

    log_in(client, "encore une faute de frappe")

    assert account().failed_logins == 1


def test_the_owners_own_browser_is_not_kept_waiting_by_someone_elses_failures(
    app, make_app, proxied
):
    make_staff(EMAIL, PASSWORD)
    owner = proxied("192.0.2.10")
    assert log_in(owner, PASSWORD).location == "/gestion/"
    owner.post("/gestion/deconnexion")
    for number in range(throttle.FREE_FAILURES + 2):
        log_in(proxied(f"203.0.113.{number}"), "devine")
    assert log_in(proxied("198.51.100.7"), PASSWORD).status_code == 429

    assert log_in(owner, PASSWORD).location == "/gestion/"


def test_a_forged_known_browser_cookie_does_not_skip_the_wait(app, client):
    make_staff(EMAIL, PASSWORD)
    for _ in range(throttle.FREE_FAILURES):
        log_in(client, "devine")
    client.set_cookie("appareil_connu", str(account().id))

    assert log_in(client, PASSWORD).status_code == 429


def test_an_unknown_address_is_refused_as_before_without_any_wait(app, client):
    for _ in range(throttle.FREE_FAILURES + 2):
        response = log_in(client, PASSWORD, email="inconnu@example.org")
    assert response.status_code == 200
    assert "Adresse ou mot de passe incorrect" in response.get_data(as_text=True)


def test_parallel_guesses_are_tried_one_at_a_time(app, make_app):
    """The last free failure and seven more guesses sent at the same instant: one
    is tried, the others find the wait it set (without the account's lock, each
    would read the count before the others wrote it)."""
    make_staff(EMAIL, PASSWORD)
    user = account()
    user.failed_logins, user.last_failed_login_at = throttle.FREE_FAILURES - 1, utcnow()
    db.session.commit()
    site = make_app()
    barrier = threading.Barrier(8)

    def guess(number: int) -> int:
        client = site.test_client()
        barrier.wait(timeout=30)
        return log_in(client, f"devine-{number}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(guess, range(8)))

    assert statuses == [200] + [429] * 7
    assert account().failed_logins == throttle.FREE_FAILURES


def test_a_session_left_open_guesses_the_password_no_faster_than_the_login(app, proxied):
    """Wrong current passwords on « Mon mot de passe » count as failed logins of
    the account, from whatever address: then even the right one must wait."""
    make_staff(EMAIL, PASSWORD)
    open_session = proxied("198.51.100.7")
    log_in(open_session, PASSWORD)

    def choose(current: str):
        data = {"current_password": current, "new_password": "x" * 14, "confirmation": "x" * 14}
        return open_session.post("/gestion/mot-de-passe", data=data)

    for guess in range(throttle.FREE_FAILURES):
        assert "pas votre mot de passe actuel" in unescape(choose(f"essai {guess}").text)
    refused = choose(PASSWORD)

    assert refused.status_code == 422
    assert "Trop d'essais infructueux pour ce compte" in unescape(refused.text)
    assert account().check_password(PASSWORD)
    assert "Trop d'essais" in unescape(log_in(proxied("203.0.113.9"), PASSWORD).text)
