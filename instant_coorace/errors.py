"""French error pages for every HTTP error, never a stack trace, and never an
error page that fails in turn: the one shown when the database broke must not
need it."""

from __future__ import annotations

from flask import Flask, current_app, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from instant_coorace.extensions import db, login_manager

MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou plus. Vérifiez l'adresse."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée (5 Mo)."),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de demandes en peu de temps. Réessayez dans une minute.",
    ),
    500: (
        "Erreur inattendue",
        "Une erreur s'est produite de notre côté. L'équipe a été prévenue ; réessayez plus tard.",
    ),
}

#: The page shown if even the site's layout cannot be rendered.
_BARE_PAGE = Markup(
    '<!doctype html>\n<html lang="fr">\n<head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>%(title)s</title></head>\n<body><main>"
    '<p>Erreur %(status)s</p><h1>%(title)s</h1><p>%(message)s</p><p><a href="%(home)s">'
    "Voir l'agenda des événements</a></p></main></body>\n</html>\n"
)


def render_error(status: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[400])
    values = {"status": status, "title": title or default_title}
    values["message"] = message or default_message
    try:
        return render_template("errors/error.html", **values), status
    except Exception:
        current_app.logger.exception("The error page could not be rendered")
        return _BARE_PAGE % (values | {"home": url_for("events.catalogue")}), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            "Formulaire expiré",
            "Le formulaire a expiré ou n'a pas été envoyé depuis ce site. "
            "Rechargez la page et réessayez.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        _recover_from_database_errors()
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        _recover_from_database_errors()
        return render_error(InternalServerError.code)


def _recover_from_database_errors() -> None:
    """What failed may have left the session unusable (a failed flush, a
    PostgreSQL transaction aborted by a refused statement): roll it back. If
    the database cannot even say who is logged in, the page is shown as to a
    visitor: the layout reads ``current_user``, and Flask-Login would
    otherwise look the account up while rendering, and fail again."""
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.exception("Rolling back after an error failed")
    try:
        current_user._get_current_object()
    except Exception:
        current_app.logger.exception("The logged-in account could not be loaded")
        login_manager._update_request_context_with_user()
