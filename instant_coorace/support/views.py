"""The offre modulaire in the back office: the year's supports, recording,
changing and deleting one, the list of themes, and the period's figures."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

import instant_coorace.support.report_section  # noqa: F401 - adds its section to the figures
from instant_coorace.errors import render_error
from instant_coorace.formatting import PARIS
from instant_coorace.inputs import database_id
from instant_coorace.staff.auth import staff_required
from instant_coorace.support import allowance, durations, services, themes
from instant_coorace.support.durations import as_typed
from instant_coorace.support.export import figure_tables, figures_csv, figures_xlsx
from instant_coorace.support.figures import support_figures
from instant_coorace.support.forms import PeriodForm, SupportForm, ThemeForm, YearForm

blueprint = Blueprint("support_management", __name__, url_prefix="/gestion/accompagnements")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> dt.date:
    return dt.datetime.now(PARIS).date()


@blueprint.get("/")
@staff_required
def list_supports():
    form = YearForm(request.args, years=allowance.years_with_supports(), current=_today().year)
    year = form.year()
    form.annee.data = str(year)
    return render_template(
        "support/list.html", form=form, year=year, supports=services.supports_of_year(year)
    )


@blueprint.route("/nouveau", methods=["GET", "POST"])
@staff_required
def new_support():
    chosen = database_id(request.args.get("structure", ""))
    form = _support_form(None, structure_id=chosen, staff_user_id=current_user.id)
    if form.is_submitted() and form.validate():
        try:
            support = services.record_support(form.to_fields())
        except services.SupportError as error:
            _show(form, error)
        else:
            flash(f"L'accompagnement de « {support.structure.name} » est enregistré.", "success")
            return redirect(url_for(".list_supports", annee=support.given_on.year))
    return _render_form(form, None)


@blueprint.route("/<int:support_id>", methods=["GET", "POST"])
@staff_required
def edit_support(support_id: int):
    try:
        support = services.get_support(support_id)
    except services.SupportNotFound as error:
        return render_error(404, message=error.message)
    form = _support_form(support, obj=support)
    if form.is_submitted() and form.validate():
        try:
            support = services.update_support(support_id, form.to_fields())
        except services.SupportError as error:
            _show(form, error)
        else:
            flash(f"L'accompagnement de « {support.structure.name} » est modifié.", "success")
            return redirect(url_for(".list_supports", annee=support.given_on.year))
    return _render_form(form, support)


@blueprint.post("/<int:support_id>/supprimer")
@staff_required
def delete_support(support_id: int):
    try:
        support = services.get_support(support_id)
        year = support.given_on.year
        services.delete_support(support_id)
    except services.SupportNotFound as error:
        return render_error(404, message=error.message)
    flash("L'accompagnement est supprimé.", "success")
    return redirect(url_for(".list_supports", annee=year))


def _support_form(support, **kwargs) -> SupportForm:
    structure_id = support.structure_id if support else None
    form = SupportForm(
        structures=services.eligible_structures(structure_id),
        themes=themes.offered_themes(support.theme_id if support else None),
        staff=services.staff_members(support.staff_user_id if support else None),
        data={"given_on": _today()} if support is None else None,
        **kwargs,
    )
    if support is not None and not form.is_submitted():
        form.duration.data, unit = as_typed(support.minutes)
        form.unit.data = unit.value
        form.confirm_over_allowance.data = support.over_allowance
    return form


def _show(form: SupportForm, error: services.SupportError) -> None:
    getattr(form, error.field or "structure_id").errors.append(error.message)


def _render_form(form: SupportForm, support):
    status = 422 if form.is_submitted() else 200
    structure_id = form.structure_id.data
    year = (form.given_on.data or _today()).year
    current = None
    if structure_id in form.eligible_ids:
        current = allowance.allowance_of(
            structure_id, year, excluding=support.id if support else None
        )
    return (
        render_template("support/edit.html", form=form, support=support, allowance=current),
        status,
    )


# --- Themes ------------------------------------------------------------------


@blueprint.route("/thematiques", methods=["GET", "POST"])
@staff_required
def list_themes():
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes.add_theme(form.name.data)
        except themes.ThemeError as error:
            form.name.errors.append(error.message)
        else:
            flash(f"La thématique « {theme.name} » est ajoutée.", "success")
            return redirect(url_for(".list_themes"))
    return _themes_page(form)


@blueprint.post("/thematiques/<int:theme_id>")
@staff_required
def rename_theme(theme_id: int):
    """Refused, the list comes back with the message under that theme's field."""
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes.rename_theme(theme_id, form.name.data)
        except themes.ThemeNotFound as error:
            return render_error(404, message=error.message)
        except themes.ThemeError as error:
            form.name.errors.append(error.message)
        else:
            flash(f"La thématique s'appelle désormais « {theme.name} ».", "success")
            return redirect(url_for(".list_themes"))
    return _themes_page(ThemeForm(formdata=None), renaming=(theme_id, form))


def _themes_page(form: ThemeForm, renaming: tuple[int, ThemeForm] | None = None):
    status = 422 if form.is_submitted() else 200
    return render_template(
        "support/themes.html",
        form=form,
        themes=themes.all_themes(),
        renaming=dict([renaming]) if renaming else {},
    ), status


@blueprint.post("/thematiques/<int:theme_id>/desactiver")
@staff_required
def deactivate_theme(theme_id: int):
    return _set_theme_active(theme_id, active=False)


@blueprint.post("/thematiques/<int:theme_id>/reactiver")
@staff_required
def reactivate_theme(theme_id: int):
    return _set_theme_active(theme_id, active=True)


def _set_theme_active(theme_id: int, *, active: bool):
    try:
        theme = themes.set_theme_active(theme_id, active)
    except themes.ThemeNotFound as error:
        return render_error(404, message=error.message)
    state = "de nouveau proposée" if active else "n'est plus proposée"
    flash(f"La thématique « {theme.name} » {state} pour les nouveaux accompagnements.", "success")
    return redirect(url_for(".list_themes"))


# --- Figures -----------------------------------------------------------------


@blueprint.get("/bilan")
@staff_required
def figures():
    form = PeriodForm(request.args)
    period = form.period(_today())
    figures = support_figures(*period) if period else None
    tables = figure_tables(figures) if figures else []
    return render_template("support/figures.html", form=form, figures=figures, tables=tables)


@blueprint.get("/bilan.csv")
@staff_required
def figures_csv_file():
    return _download(figures_csv, "csv", "text/csv; charset=utf-8")


@blueprint.get("/bilan.xlsx")
@staff_required
def figures_xlsx_file():
    return _download(figures_xlsx, "xlsx", XLSX)


def _download(render, extension: str, mimetype: str):
    form = PeriodForm(request.args)
    period = form.period(_today())
    if period is None:
        return redirect(url_for(".figures", **request.args))
    start, end = period
    filename = f"offre-modulaire-{start:%Y%m%d}-{end:%Y%m%d}.{extension}"
    content = render(support_figures(start, end))
    return Response(
        content.encode("utf-8") if isinstance(content, str) else content,
        content_type=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Durations in every page (the structure page shows them too) ---------------

blueprint.add_app_template_filter(durations.both, "support_duration")
blueprint.add_app_template_filter(durations.days, "support_days")
blueprint.add_app_template_filter(durations.day_count, "support_day_count")
blueprint.add_app_template_filter(durations.half_days, "support_half_days")
blueprint.add_app_template_filter(durations.hours, "support_hours")
blueprint.add_app_template_filter(durations.french_number, "support_number")
