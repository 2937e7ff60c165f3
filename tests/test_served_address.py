"""In development, the links we send lead to the port the site is served on:
`PORT=5101 make run` gives mails and feed addresses on :5101."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

import config
from instant_coorace import create_app
from instant_coorace.extensions import db
from instant_coorace.mail.worker import run_jobs
from instant_coorace.registrations import services
from tests.builders import applicant, make_event


def test_without_base_url_links_follow_the_port(tmp_path):
    settings = config.load(tmp_path, {"PORT": "5101"})
    assert settings["PORT"] == 5101
    assert settings["BASE_URL"] == "http://127.0.0.1:5101"


def test_the_default_port_is_5000(tmp_path):
    settings = config.load(tmp_path, {})
    assert settings["PORT"] == 5000
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"


def test_base_url_wins_over_the_port(tmp_path):
    settings = config.load(
        tmp_path, {"PORT": "5101", "BASE_URL": "https://evenements.example.org/"}
    )
    assert settings["BASE_URL"] == "https://evenements.example.org"


def test_production_without_base_url_refuses_to_start(tmp_path):
    production = {"INSTANT_COORACE_ENV": "production", "SECRET_KEY": "s", "PORT": "8000"}
    with pytest.raises(config.ConfigError, match="BASE_URL doit être défini en production"):
        config.load(tmp_path, production)


@pytest.mark.parametrize("port", ["cinq-mille", "0", "70000", "-1"])
def test_a_port_that_is_not_one_is_refused_in_french(tmp_path, port):
    with pytest.raises(config.ConfigError, match="PORT doit être un numéro de port"):
        config.load(tmp_path, {"PORT": port})


def test_a_mail_and_the_feed_addresses_lead_to_the_served_port(
    app, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("PORT", "5101")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("BASE_URL", raising=False)
    served = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    served.instance_path = str(tmp_path)
    with served.app_context():
        event = make_event("L'Instant Coorace de mai")
        services.register(event.id, applicant(1))
        run_jobs()
        page = served.test_client().get("/").get_data(as_text=True)
        db.engine.dispose()

    [eml] = (Path(tmp_path) / "mail").glob("*-registration_confirmed.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://127.0.0.1:5101/inscription/" in text
    assert 'href="http://127.0.0.1:5101/inscription/' in html
    assert "127.0.0.1:5000" not in text + html
    assert "webcal://127.0.0.1:5101/agenda.ics" in page
