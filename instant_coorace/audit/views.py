"""« Journal » in the back office: the audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from instant_coorace.audit import services
from instant_coorace.audit.models import ACTION_LABELS, AuditAction
from instant_coorace.pagination import requested_page
from instant_coorace.staff.auth import admin_required

blueprint = Blueprint("audit", __name__, url_prefix="/gestion/journal")


@blueprint.get("/")
@admin_required
def journal():
    value = request.args.get("action", "")
    action = AuditAction(value) if value in AuditAction._value2member_map_ else None
    return render_template(
        "audit/journal.html",
        entries=services.entries_page(action, requested_page()),
        action=action,
        action_labels=ACTION_LABELS,
    )
