"""Login, logout, choosing one's password, and the dashboard the team lands on."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from instant_coorace.extensions import limiter
from instant_coorace.staff import services
from instant_coorace.staff.auth import signed_in, staff_required
from instant_coorace.staff.forms import ChoosePasswordForm, LoginForm

blueprint = Blueprint("staff", __name__, url_prefix="/gestion")


#: A signed cookie naming the account this browser last logged into: the
#: account's throttle does not keep its owner's own browser waiting.
KNOWN_DEVICE_COOKIE = "appareil_connu"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600


def _login_rate_limit() -> str:
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="staff-known-device")


def _known_account_id() -> int | None:
    try:
        value = _device_signer().loads(request.cookies.get(KNOWN_DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def _remember_device(response: Response, account_id: int) -> Response:
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_signer().dumps(account_id),
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@blueprint.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for(".dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = services.LoginAttempt(
            remote_addr=request.remote_addr or "",
            user_agent=request.user_agent.string,
            known_account_id=_known_account_id(),
        )
        try:
            user = services.authenticate(form.email.data, form.password.data, attempt)
        except services.LoginThrottled as error:
            form.password.errors.append(error.message)
            page = render_template("staff/login.html", form=form, next=target)
            return page, 429, {"Retry-After": str(error.seconds_left)}
        except services.StaffAccountError as error:
            form.password.errors.append(error.message)
        else:
            session.clear()  # no session fixation: a fresh session for the new identity
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME idle
            login_user(user)
            if user.must_choose_password:
                return _remember_device(redirect(url_for(".choose_password")), user.id)
            return _remember_device(redirect(target or url_for(".dashboard")), user.id)
    return render_template("staff/login.html", form=form, next=target)


@blueprint.post("/deconnexion")
def logout():
    if current_user.is_authenticated:
        services.log_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for(".login"))


@blueprint.route("/mot-de-passe", methods=["GET", "POST"])
@signed_in
@limiter.limit(_login_rate_limit, methods=["POST"])
def choose_password():
    """Replace one's password: required after an issued one, possible at any time.
    It asks for the current one, rate-limited like the login, so that an open
    session left behind is not enough to take the account over."""
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            services.choose_password(
                current_user.id,
                form.current_password.data,
                form.new_password.data,
                current_user.session_token,
            )
        except (services.WrongCurrentPassword, services.LoginThrottled) as error:
            form.current_password.errors.append(error.message)
        except services.SamePassword as error:
            form.new_password.errors.append(error.message)
        else:
            flash("Votre mot de passe est enregistré.", "success")
            return redirect(url_for(".dashboard"))
    page = render_template(
        "staff/choose_password.html", form=form, min_length=services.MIN_PASSWORD_LENGTH
    )
    return page, 422 if form.errors else 200


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
