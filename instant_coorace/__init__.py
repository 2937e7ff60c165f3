"""Instant Coorace: registrations to the events of Coorace Occitanie."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from instant_coorace import formatting
from instant_coorace.errors import register_error_handlers
from instant_coorace.extensions import babel, csrf, db, limiter, login_manager, migrate
from instant_coorace.extensions import mail as mail_extension
from instant_coorace.http_headers import register_security_headers
from instant_coorace.inputs import register_input_rules
from instant_coorace.markdown import render_markdown
from instant_coorace.staff.auth import register_staff_context

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    instance_path = Path(app.instance_path)
    app.config.from_mapping(config.load(instance_path))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    # The cookie of a staff session lasts as long as the session may stay idle.
    idle_hours = app.config["STAFF_SESSION_IDLE_HOURS"]
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=idle_hours)
    trust_proxies(app)

    register_extensions(app)
    register_input_rules(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client's address,
    scheme and host from their ``X-Forwarded-*`` headers, so that rate limits
    and the audit log see each visitor, not the proxy. Without proxies, those
    headers are anyone's to forge and stay ignored."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    import instant_coorace.models  # noqa: F401 - the metadata must know every table

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, default_locale="fr", default_timezone="Europe/Paris")
    limiter.init_app(app)
    app.after_request(retry_after_header)
    login_manager.init_app(app)
    register_staff_context(app)
    mail_extension.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Connectez-vous pour accéder à l'espace de gestion."
    login_manager.login_message_category = "info"


def retry_after_header(response: Response) -> Response:
    """A rate-limited request (429) is told when it may try again."""
    breached = limiter.current_limit if response.status_code == 429 else None
    if breached is not None and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(max(breached.reset_at - int(time.time()), 1))
    return response


def register_blueprints(app: Flask) -> None:
    import instant_coorace.staff.auth  # noqa: F401 - registers the login user loader
    from instant_coorace.attendance import check_in_views, overview_views, qr_views
    from instant_coorace.attendance.certificate_views import blueprint as certificates
    from instant_coorace.attendance.import_views import blueprint as attendance_import
    from instant_coorace.attendance.join_views import blueprint as join
    from instant_coorace.attendance.sign_in_views import blueprint as sign_in
    from instant_coorace.audit.views import blueprint as audit
    from instant_coorace.calendar.views import blueprint as calendar
    from instant_coorace.events.management import blueprint as event_management
    from instant_coorace.events.views import blueprint as events
    from instant_coorace.invitations import campaign_views, public_views, series_views
    from instant_coorace.mail.management import blueprint as mail_management
    from instant_coorace.members.management import blueprint as member_management
    from instant_coorace.privacy.views import blueprint as privacy_management
    from instant_coorace.registrations.management import blueprint as registration_management
    from instant_coorace.registrations.message_views import blueprint as registrant_messages
    from instant_coorace.registrations.views import blueprint as registrations
    from instant_coorace.reminders.views import blueprint as reminders
    from instant_coorace.reports.views import blueprint as reports
    from instant_coorace.staff.accounts import blueprint as staff_accounts
    from instant_coorace.staff.views import blueprint as staff
    from instant_coorace.support.views import blueprint as support_management

    for blueprint in (
        events,
        registrations,
        staff,
        event_management,
        registration_management,
        registrant_messages,
        member_management,
        calendar,
        mail_management,
        staff_accounts,
        privacy_management,
        audit,
        series_views.blueprint,
        series_views.management,
        support_management,
        check_in_views.blueprint,
        overview_views.blueprint,
        qr_views.blueprint,
        reminders,
        sign_in,
        certificates,
        campaign_views.blueprint,
        public_views.blueprint,
        join,
        attendance_import,
        reports,
    ):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        french_date=formatting.french_date,
        french_date_span=formatting.french_date_span,
        french_datetime=formatting.french_datetime,
        french_time=formatting.french_time,
        french_time_range=formatting.french_time_range,
        markdown=render_markdown,
    )
    from instant_coorace import labels
    from instant_coorace.error_summary import error_links

    app.context_processor(lambda: {"labels": labels})
    app.jinja_env.globals["error_links"] = error_links


def register_commands(app: Flask) -> None:
    from instant_coorace.attendance.commands import attendance_cli
    from instant_coorace.demo.commands import demo_command
    from instant_coorace.mail.commands import worker_command
    from instant_coorace.members.commands import members_cli
    from instant_coorace.privacy.commands import privacy_cli
    from instant_coorace.staff.commands import staff_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(staff_cli)
    app.cli.add_command(members_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(attendance_cli)
