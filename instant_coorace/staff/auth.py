"""Who may see the back office: logged-in, active staff who have chosen their
own password; the team's accounts, admins only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, has_request_context, redirect, request, url_for
from flask_login import current_user, login_required

from instant_coorace.audit.services import Actor, set_actor_provider
from instant_coorace.extensions import login_manager
from instant_coorace.staff import sessions
from instant_coorace.staff.models import StaffUser


@login_manager.user_loader
def load_staff_user(session_token: str) -> StaffUser | None:
    """The active account of a live server-side session (``staff/sessions.py``)."""
    return sessions.user_of(session_token)


def register_staff_context(app: Flask) -> None:
    """Tell the audit log who acts (asked only when an entry is written)."""
    set_actor_provider(app, _acting_staff)


def _acting_staff() -> Actor | None:
    if not has_request_context():
        return None
    account = current_user._get_current_object() if current_user.is_authenticated else None
    return Actor(account, request.remote_addr or "")


def signed_in(view: Callable) -> Callable:
    """A logged-in account, whose session slides before the view runs (see
    ``sessions.slide``): on back-office pages only, so public pages never load
    the staff account."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        sessions.slide(current_user._get_current_object())
        return view(*args, **kwargs)

    return wrapped


def staff_required(view: Callable) -> Callable:
    """Any active member of the team; one whose password was issued to them
    chooses their own first."""

    @wraps(view)
    @signed_in
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
