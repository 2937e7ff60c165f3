"""Configuration from the environment, with embedded defaults for development.

Every setting can be overridden by an environment variable of the same name.
Without any, the application runs on SQLite in ``instance/`` with a secret key
generated once and kept in ``instance/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a safe configuration."""


def _persisted_dev_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(env: dict[str, str], instance_path: Path) -> str:
    url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'instant_coorace.sqlite'}"
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _port(env: dict[str, str]) -> int:
    value = env.get("PORT", "5000")
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT doit être un numéro de port (1 à 65535), pas « {value} ».")
    return int(value)


def _base_url(env: dict[str, str], port: int, environment: str) -> str:
    """Where the links we send lead. Without ``BASE_URL`` they lead to the development
    server, on the port it serves (``PORT``): in production that would send every
    registrant a link to their own machine, so production refuses to start."""
    if env.get("BASE_URL"):
        return env["BASE_URL"].rstrip("/")
    if environment == "production":
        raise ConfigError(
            "BASE_URL doit être défini en production (l'adresse publique du site, "
            "par exemple https://evenements.example.org) : sans elle, les liens envoyés "
            "par e-mail mèneraient à 127.0.0.1."
        )
    return f"http://127.0.0.1:{port}"


def engine_options(url: str) -> dict:
    """Pool and driver settings suited to the database behind ``url``."""
    if url.startswith("sqlite"):
        # Writers wait for the lock instead of failing at once under concurrency.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def load(instance_path: Path, env: dict[str, str] | None = None) -> dict:
    """Build the Flask configuration mapping from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    environment = env.get("INSTANT_COORACE_ENV", "development")
    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if environment == "production":
            raise ConfigError("SECRET_KEY doit être défini en production.")
        secret_key = _persisted_dev_secret(instance_path)
    database_url = _database_url(env, instance_path)
    port = _port(env)
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PORT": port,
        "BASE_URL": _base_url(env, port, environment),
        "ORGANISATION_NAME": env.get("ORGANISATION_NAME", "Coorace Occitanie"),
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL", "contact@coorace-occitanie.example.org"),
        # The training provider's « numéro de déclaration d'activité » (DREETS),
        # printed on certificats de réalisation; its place (« fait à »).
        "TRAINING_DECLARATION_NUMBER": env.get("TRAINING_DECLARATION_NUMBER", ""),
        "TRAINING_PROVIDER_ADDRESS": env.get("TRAINING_PROVIDER_ADDRESS", ""),
        "TRAINING_PROVIDER_CITY": env.get("TRAINING_PROVIDER_CITY", "Toulouse"),
        # Announced to registrants (GDPR notice): the federation's own decision, not ours.
        "DATA_RETENTION_YEARS": int(env.get("DATA_RETENTION_YEARS", "3")),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_DEFAULT_SENDER": env.get(
            "MAIL_DEFAULT_SENDER", "Coorace Occitanie <evenements@coorace-occitanie.example.org>"
        ),
        # The outbox worker: seconds between passes, mails per SMTP connection, how long
        # a claimed mail stays reserved to its worker, SMTP socket timeout, and the
        # attempts after which a temporarily failing mail is marked failed.
        "MAIL_WORKER_POLL_SECONDS": float(env.get("MAIL_WORKER_POLL_SECONDS", "5")),
        "MAIL_BATCH_SIZE": int(env.get("MAIL_BATCH_SIZE", "100")),
        "MAIL_LEASE_SECONDS": int(env.get("MAIL_LEASE_SECONDS", "600")),
        "MAIL_TIMEOUT_SECONDS": int(env.get("MAIL_TIMEOUT_SECONDS", "30")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "8")),
        # A reminder the worker finds more than this many minutes after its time (it
        # was stopped) is dropped, not sent late; staff see the drop.
        "REMINDER_GRACE_MINUTES": int(env.get("REMINDER_GRACE_MINUTES", "30")),
        # « Relancer » a campaign at most once in this many days after its last sending.
        "CAMPAIGN_RESEND_DAYS": int(env.get("CAMPAIGN_RESEND_DAYS", "3")),
        # How many reverse proxies (nginx, Caddy) stand in front of the application:
        # only that many X-Forwarded-For/-Proto/-Host entries are believed. 0 (no
        # proxy) ignores them all, since anyone can send them.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # A staff session ends after this many hours without a request (sliding);
        # the session cookie's lifetime follows (see ``create_app``).
        "STAFF_SESSION_IDLE_HOURS": float(env.get("STAFF_SESSION_IDLE_HOURS", "8")),
        # Days of individual support (« offre modulaire ») per member and calendar year.
        "SUPPORT_DAYS_PER_YEAR": float(env.get("SUPPORT_DAYS_PER_YEAR", "2")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") == "1",
        "PUBLIC_REGISTRATION_RATE_LIMIT": env.get("PUBLIC_REGISTRATION_RATE_LIMIT", "20/minute"),
        "STAFF_LOGIN_RATE_LIMIT": env.get("STAFF_LOGIN_RATE_LIMIT", "10/minute"),
        "SESSION_COOKIE_SECURE": environment == "production",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": environment == "production",
        # Strict-Transport-Security: production is served over HTTPS only.
        "HSTS_ENABLED": environment == "production",
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "WTF_CSRF_TIME_LIMIT": None,
        # Over HTTPS, Flask-WTF also demands a same-site Referer on every POST;
        # pages with personal links and the back office send none
        # (``Referrer-Policy: no-referrer``, http_headers.py), so their forms
        # would all be refused in production. The CSRF token (and SameSite
        # cookies) remain the protection.
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Attendance: the join link opens this long before a session and closes this
        # long after its end; an imported report's upload limit; the share of a
        # session's length someone must attend to count as present.
        "ATTENDANCE_JOIN_OPENS_MINUTES_BEFORE": int(
            env.get("ATTENDANCE_JOIN_OPENS_MINUTES_BEFORE", "30")
        ),
        "ATTENDANCE_JOIN_CLOSES_MINUTES_AFTER": int(
            env.get("ATTENDANCE_JOIN_CLOSES_MINUTES_AFTER", "0")
        ),
        "ATTENDANCE_MAX_UPLOAD_MB": float(env.get("ATTENDANCE_MAX_UPLOAD_MB", "5")),
        "ATTENDANCE_PRESENCE_PERCENT": int(env.get("ATTENDANCE_PRESENCE_PERCENT", "50")),
    }
