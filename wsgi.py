"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

from instant_coorace import create_app

app = create_app()
