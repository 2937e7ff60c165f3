"""The figures page of the back office and its downloads (« Chiffres »)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from instant_coorace.database import utcnow
from instant_coorace.formatting import PARIS
from instant_coorace.reports import display, exports
from instant_coorace.reports.figures import period_sections
from instant_coorace.reports.forms import PeriodForm
from instant_coorace.reports.period import Period
from instant_coorace.staff.auth import staff_required

blueprint = Blueprint("reports", __name__, url_prefix="/gestion/chiffres")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen_period() -> tuple[PeriodForm, Period | None]:
    form = PeriodForm(request.args)
    return form, form.to_period(Period.calendar_year(_this_year()))


def _this_year() -> int:
    return utcnow().astimezone(PARIS).year


@blueprint.get("/")
@staff_required
def figures():
    form, period = _chosen_period()
    sections = period_sections(period) if period else []
    this_year = _this_year()
    return render_template(
        "reports/figures.html",
        form=form,
        period=period,
        previous=period.previous() if period else None,
        sections=sections,
        years=range(this_year, this_year - 4, -1),
        period_args={"du": period.first.isoformat(), "au": period.last.isoformat()}
        if period
        else {},
    ), (200 if period else 400)


def _download(content: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.get("/chiffres.xlsx")
@staff_required
def export_xlsx():
    period = _chosen_period()[1]
    if period is None:
        return figures()
    content = exports.workbook(period, period_sections(period))
    return _download(content, XLSX, f"chiffres-{period.slug}.xlsx")


@blueprint.get("/chiffres.csv")
@staff_required
def export_csv():
    period = _chosen_period()[1]
    if period is None:
        return figures()
    content = exports.csv_text(period, period_sections(period)).encode("utf-8")
    return _download(content, "text/csv", f"chiffres-{period.slug}.csv")


@blueprint.get("/graphiques/<name>.svg")
@staff_required
def chart_svg(name: str):
    period = _chosen_period()[1]
    if period is None:
        return figures()
    charts = {chart.name: chart for s in period_sections(period) for chart in s.charts}
    if name not in charts:
        abort(404)
    return _download(charts[name].svg(), "image/svg+xml", f"{name}-{period.slug}.svg")


blueprint.add_app_template_filter(display.cell, "figure_cell")
blueprint.add_app_template_filter(display.french_number, "french_number")
