"""« Personnes » in the back office: find someone who asks about their data,
see what is held, hand it to them, erase it."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from instant_coorace.privacy import requests
from instant_coorace.staff.auth import admin_required, staff_required

blueprint = Blueprint("privacy_management", __name__, url_prefix="/gestion/personnes")


@blueprint.get("/")
@staff_required
def search():
    query = request.args.get("q", "")
    return render_template("privacy/search.html", query=query, people=requests.find_people(query))


@blueprint.get("/<int:person_id>")
@staff_required
def person(person_id: int):
    try:
        record = requests.person_record(person_id)
    except requests.PrivacyRequestError:
        return redirect(url_for(".search"))
    return render_template("privacy/person.html", record=record)


@blueprint.get("/<int:person_id>/donnees.json")
@admin_required
def export(person_id: int):
    try:
        content = requests.export_json(person_id)
    except requests.PrivacyRequestError:
        return redirect(url_for(".search"))
    return Response(
        content,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="donnees-personne-{person_id}.json"',
        },
    )


@blueprint.post("/<int:person_id>/effacer")
@admin_required
def erase(person_id: int):
    try:
        requests.erase(person_id)
    except requests.PrivacyRequestError as error:
        flash(error.message, "error")
        return redirect(url_for(".person", person_id=person_id))
    flash(
        "Les données de cette personne sont effacées : ses inscriptions restent "
        "dans les chiffres, sans nom ni adresse.",
        "success",
    )
    return redirect(url_for(".search"))
