"""The team's accounts, for admins: open one, deactivate or reactivate it, reset
its password. An issued password is shown once, on the page that answers the
request, and never put in the session (its cookie is signed, not encrypted)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from instant_coorace import labels
from instant_coorace.staff import services
from instant_coorace.staff.auth import admin_required
from instant_coorace.staff.forms import AccountForm
from instant_coorace.staff.models import StaffRole

blueprint = Blueprint("staff_accounts", __name__, url_prefix="/gestion/equipe")


@blueprint.route("/", methods=["GET", "POST"])
@admin_required
def list_accounts():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            account, password = services.create_staff_user(
                form.email.data, StaffRole(form.role.data)
            )
        except services.StaffAccountError as error:
            form.email.errors.append(error.message)
        else:
            return _issued(account.email, password, created=True)
    status = 422 if form.errors else 200
    return _page(form, status=status)


@blueprint.post("/<int:account_id>/activation")
@admin_required
def set_active(account_id: int):
    """``active=1`` reactivates the account, anything else deactivates it."""
    active = request.form.get("active") == "1"
    try:
        account = services.set_account_active(account_id, active, current_user.id)
    except services.StaffAccountError as error:
        flash(error.message, "error")
    else:
        state = "réactivé" if account.active else "désactivé"
        flash(f"Le compte {account.email} est {state}.", "success")
    return redirect(url_for(".list_accounts"))


@blueprint.post("/<int:account_id>/role")
@admin_required
def set_role(account_id: int):
    value = request.form.get("role", "")
    if value not in StaffRole._value2member_map_:
        flash("Choisissez un rôle de la liste.", "error")
        return redirect(url_for(".list_accounts"))
    try:
        account = services.set_account_role(account_id, StaffRole(value), current_user.id)
    except services.StaffAccountError as error:
        flash(error.message, "error")
    else:
        role = labels.STAFF_ROLE[account.role]
        flash(f"Le compte {account.email} a le rôle « {role} ».", "success")
    return redirect(url_for(".list_accounts"))


@blueprint.post("/<int:account_id>/mot-de-passe")
@admin_required
def reset_password(account_id: int):
    try:
        account, password = services.reset_account_password(account_id)
    except services.StaffAccountError as error:
        flash(error.message, "error")
        return redirect(url_for(".list_accounts"))
    return _issued(account.email, password, created=False)


def _issued(email: str, password: str, *, created: bool) -> Response:
    return _page(
        AccountForm(formdata=None),
        issued={"email": email, "password": password, "created": created},
    )


def _page(form: AccountForm, *, status: int = 200, issued: dict | None = None) -> Response:
    return Response(
        render_template(
            "staff/accounts.html",
            form=form,
            accounts=services.team_accounts(),
            issued=issued,
        ),
        status=status,
    )
