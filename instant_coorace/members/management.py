"""The member directory in the back office: list, edit, deactivate, import, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from instant_coorace.errors import render_error
from instant_coorace.formatting import PARIS
from instant_coorace.http_headers import personal_data
from instant_coorace.members import services
from instant_coorace.members.forms import (
    DirectoryFilterForm,
    ImportConfirmForm,
    ImportUploadForm,
    StructureForm,
)
from instant_coorace.members.importer import ImportFileError
from instant_coorace.members.structure_page import structure_overview
from instant_coorace.pagination import requested_page
from instant_coorace.staff.auth import admin_required, staff_required

blueprint = Blueprint("member_management", __name__, url_prefix="/gestion/annuaire")


def _imports_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


@blueprint.get("/")
@staff_required
def list_structures():
    filter_form = DirectoryFilterForm(request.args)
    structures = services.directory_page(filter_form.to_filters(), requested_page())
    return render_template(
        "members/list.html",
        structures=structures,
        filter_form=filter_form,
        filter_args=filter_form.query_args(),
    )


@blueprint.get("/export.csv")
@staff_required
def export_structures():
    content = services.export_directory_csv(DirectoryFilterForm(request.args).to_filters())
    return Response(
        content.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="annuaire-structures.csv"'},
    )


@blueprint.route("/nouvelle", methods=["GET", "POST"])
@staff_required
def new_structure():
    form = StructureForm()
    if form.validate_on_submit():
        try:
            structure = services.create_structure(form.to_fields())
        except services.DuplicateStructure as error:
            form.name.errors.append(error.message)
        else:
            flash(f"La structure « {structure.name} » a été ajoutée à l'annuaire.", "success")
            return redirect(url_for(".list_structures"))
    return render_template("members/edit.html", form=form, structure=None)


@blueprint.route("/<int:structure_id>", methods=["GET", "POST"])
@staff_required
def edit_structure(structure_id: int):
    try:
        structure = services.get_structure(structure_id)
    except services.StructureNotFound as error:
        return render_error(404, message=error.message)
    form = StructureForm(obj=structure, current_department=structure.department)
    if form.validate_on_submit():
        try:
            services.update_structure(structure_id, form.to_fields())
        except services.DuplicateStructure as error:
            form.name.errors.append(error.message)
        else:
            flash(f"La fiche de « {form.name.data} » a été enregistrée.", "success")
            return redirect(url_for(".list_structures"))
    return render_template("members/edit.html", form=form, structure=structure)


@blueprint.get("/<int:structure_id>/synthese")
@staff_required
@personal_data
def structure_page(structure_id: int):
    """Everything about one structure at a glance (``members/structure_page.py``)."""
    try:
        overview = structure_overview(structure_id, dt.datetime.now(PARIS).date())
    except services.StructureNotFound as error:
        return render_error(404, message=error.message)
    return render_template("members/structure.html", overview=overview)


@blueprint.post("/<int:structure_id>/desactiver")
@staff_required
def deactivate_structure(structure_id: int):
    return _set_active(structure_id, active=False)


@blueprint.post("/<int:structure_id>/reactiver")
@staff_required
def reactivate_structure(structure_id: int):
    return _set_active(structure_id, active=True)


def _set_active(structure_id: int, *, active: bool):
    try:
        structure = services.set_structure_active(structure_id, active)
    except services.StructureNotFound as error:
        return render_error(404, message=error.message)
    if active:
        flash(f"« {structure.name} » est de nouveau proposée à l'inscription.", "success")
    else:
        flash(
            f"« {structure.name} » est désactivée : elle n'est plus proposée à l'inscription.",
            "success",
        )
    return redirect(url_for(".edit_structure", structure_id=structure_id))


@blueprint.route("/import", methods=["GET", "POST"])
@admin_required
def import_structures():
    """Step one: upload a file and see what importing it would do."""
    form = ImportUploadForm()
    if not form.validate_on_submit():
        status = form.error_status() if form.is_submitted() else 200
        return render_template("members/import.html", form=form), status
    try:
        token, report = services.stage_import(_imports_folder(), form.file.data.read())
    except ImportFileError as error:
        form.file.errors.append(error.message)
        return render_template("members/import.html", form=form), error.http_status
    return render_template(
        "members/import_report.html", report=report, token=token, filename=form.file.data.filename
    )


@blueprint.post("/import/confirmer")
@admin_required
def confirm_import():
    """Step two: apply the file kept on the server, never data sent back by the browser."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        report = services.apply_staged_import(_imports_folder(), form.token.data)
    except (services.StagedImportNotFound, ImportFileError) as error:
        flash(error.message, "error")
        return redirect(url_for(".import_structures"))
    return render_template("members/import_report.html", report=report)
