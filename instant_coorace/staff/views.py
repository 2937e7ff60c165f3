"""Login, logout and the dashboard the team lands on."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from instant_coorace.extensions import limiter
from instant_coorace.staff import services
from instant_coorace.staff.auth import staff_required
from instant_coorace.staff.forms import LoginForm

blueprint = Blueprint("staff", __name__, url_prefix="/gestion")


def _login_rate_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_RATE_LIMIT", "10/minute")


@blueprint.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for(".dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.StaffAccountError as error:
            form.password.errors.append(error.message)
        else:
            session.clear()  # no session fixation: a fresh session for the new identity
            login_user(user)
            return redirect(target or url_for(".dashboard"))
    return render_template("staff/login.html", form=form, next=target)


@blueprint.post("/deconnexion")
def logout():
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for(".login"))


@blueprint.get("/")
@staff_required
def dashboard():
    return render_template("staff/dashboard.html", overview=services.dashboard())


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``.

    Refuses anything a browser could read as another host: ``//evil``,
    ``/\\evil``, schemes, and control characters or spaces, which browsers strip
    (``/\\t/evil`` becomes ``//evil``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    return target
