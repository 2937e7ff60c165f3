"""Who may see the back office: logged-in, active staff who have chosen their
own password; the team's accounts, admins only."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from instant_coorace.extensions import db, login_manager
from instant_coorace.staff.models import StaffUser


@login_manager.user_loader
def load_staff_user(session_id: str) -> StaffUser | None:
    """The active account of ``session_id`` (``StaffUser.get_id``), unless its
    password changed since this session logged in."""
    account_id, _, fingerprint = session_id.partition("-")
    user = db.session.get(StaffUser, int(account_id)) if account_id.isdigit() else None
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(fingerprint, user.password_fingerprint) else None


def staff_required(view: Callable) -> Callable:
    """Any active member of the team; one whose password was issued to them
    chooses their own first."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.must_choose_password:
            return redirect(url_for("staff.choose_password"))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
