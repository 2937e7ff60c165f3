"""The benchmark's middle reading: the real registration service behind a bare
Flask endpoint.

Like ``bench/bare_app.py``, a Flask application with nothing but its database
(Flask-SQLAlchemy on ``DATABASE_URL``, the application's engine settings): no
session cookie, CSRF, form validation, templates, rate limits or other
extension. Its one endpoint takes the public form's fields and places the
registrant with the application's own ``registrations.services.register``: the
event's lock, the situation read, the person, the registration and the pending
mail, in the real transaction, then answers 303 as the real form does.

So a run reads three rates: the bare insert, the service alone (what the
database work of a registration allows) and the real form (the service plus the
web layer: session, CSRF, validation, redirect).

Run under gunicorn: ``gunicorn 'bench.service_app:create_app()'``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, request

import config
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.registrations.forms import OTHER_STRUCTURE


def create_app() -> Flask:
    """The service endpoint on ``DATABASE_URL`` (the schema must exist)."""
    import instant_coorace.models  # noqa: F401 - the metadata must know every table

    app = Flask(__name__)
    app.config.from_mapping(config.load(Path(app.instance_path)))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(url)
    db.init_app(app)

    @app.post("/evenements/<slug>/inscription")
    def register(slug: str):
        form = request.form
        structure = form.get("structure", OTHER_STRUCTURE)
        services.register(
            slug,
            services.Applicant(
                email=form["email"],
                first_name=form["first_name"],
                last_name=form["last_name"],
                job_title=form["job_title"],
                structure_id=None if structure == OTHER_STRUCTURE else int(structure),
                other_structure_name=form.get("other_structure_name", ""),
                needs=form.get("needs", ""),
            ),
        )
        return redirect(f"/evenements/{slug}/inscription/confirmee", code=303)

    @app.get("/")
    def index():
        return "service"

    return app
