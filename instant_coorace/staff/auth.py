"""Who may see the back office: logged-in, active staff; some pages admins only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from instant_coorace.extensions import db, login_manager
from instant_coorace.staff.models import StaffUser


@login_manager.user_loader
def load_staff_user(user_id: str) -> StaffUser | None:
    user = db.session.get(StaffUser, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def staff_required(view: Callable) -> Callable:
    """Any active member of the team."""
    return login_required(view)


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
