"""Every page of the site, public and back office, checked by axe-core in a real
Chromium: no serious or critical violation. The list of pages is built from the
application's routes, so a new page fails the walk until it is added to it.

Public pages are also loaded 320 px wide (a 1280 px screen at 400 % zoom): nothing
may make the page scroll sideways.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from flask import current_app, url_for

from instant_coorace.attendance.check_in import check_in
from instant_coorace.attendance.check_in_links import check_in_token
from instant_coorace.attendance.join_links import join_token
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventFormat, EventKind, Series
from instant_coorace.extensions import db
from instant_coorace.invitations import following
from instant_coorace.invitations.models import SeriesFollower
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffRole
from tests.browser import DESKTOP, NARROW, chromium, expect, new_page  # noqa: F401
from tests.builders import applicant, make_event, make_staff, make_structure, queue_mail
from tests.campaign_helpers import make_campaign
from tests.live_server import (
    LIVE_SECRET_KEY,
    live_server,  # noqa: F401 - fixture
)
from tests.support_builders import make_support, make_theme

axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

#: Routes that answer with a file, not a page.
NOT_A_PAGE = re.compile(r"\.(ics|csv|json|xlsx|png|pdf|zip|svg)$")
STAFF_EMAIL = "equipe@coorace-occitanie.example.org"
STAFF_PASSWORD = "un mot de passe solide"
DIRECTORY_CSV = Path(__file__).parent / "data" / "adherents-2026.csv"
ATTENDANCE_REPORT = Path(__file__).parent / "data/attendance/teams_meeting_attendance_fr.csv"
BLOCKING = {"serious", "critical"}


@dataclasses.dataclass(frozen=True)
class Site:
    """Demo-like data: what each page needs to show something real."""

    instant_id: int
    instant_slug: str
    training_id: int
    training_slug: str
    structure_id: int
    token: str
    registration_id: int
    person_id: int
    mail_id: int
    series_id: int
    series_slug: str
    follower_token: str
    support_id: int
    training_session_id: int
    trainee_id: int
    trainee_token: str
    #: A sent campaign, with the invitation and unsubscribe paths of one of its mails.
    campaign: tuple[int, str, str]
    join_token: str


def build_site() -> Site:
    current_app.config["SECRET_KEY"] = LIVE_SECRET_KEY  # the links made here are the server's
    structure = make_structure("Chantier d'insertion Les Jardins du Lauragais")
    make_structure("Relais Emploi Tarn", department="81")
    series = Series(name="L'Instant Coorace", slug="instant-coorace")
    db.session.add(series)
    db.session.commit()
    # Events of a series share their title; the pages tell them apart by date.
    instant = make_event(
        "L'Instant Coorace",
        series_id=series.id,
        capacity=1,
        visio_url="https://visio.example.org/instant",
    )
    make_event("L'Instant Coorace", series_id=series.id, starts_in=dt.timedelta(days=98))
    training = make_event(
        "Formation : accompagner les salarié·es en parcours d'insertion professionnelle",
        kind=EventKind.FORMATION,
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale et solidaire",
        venue_address="12 rue des Arts, 31000 Toulouse",
        department="31",
        sessions=4,
        duration=dt.timedelta(hours=3),
        description="Deux jours pour **outiller** les encadrant·es.",
    )
    confirmed = registrations.register(instant.id, applicant(1, structure))
    trainee = registrations.register(training.id, applicant(3, structure))
    registrations.register(instant.id, applicant(2, structure))  # on the waiting list
    mail = queue_mail()
    make_staff(STAFF_EMAIL, STAFF_PASSWORD, role=StaffRole.ADMIN)
    registration = registrations.find_by_token(confirmed.token)
    follower = SeriesFollower(
        series_id=series.id, person_id=registration.person_id, confirmation_sent_at=utcnow()
    )
    follower_token = following.follower_token(follower)
    db.session.add(follower)
    db.session.commit()
    support = make_support(structure, make_theme("Fonds européens"), dt.date(2026, 3, 3))
    join = join_token(registration)
    db.session.commit()
    return Site(
        instant_id=instant.id,
        instant_slug=instant.slug,
        training_id=training.id,
        training_slug=training.slug,
        structure_id=structure.id,
        token=confirmed.token,
        registration_id=confirmed.registration_id,
        person_id=registration.person_id,
        mail_id=mail.id,
        series_id=series.id,
        series_slug=series.slug,
        follower_token=follower_token,
        support_id=support.id,
        training_session_id=training.sessions[0].id,
        trainee_id=trainee.registration_id,
        trainee_token=trainee.token,
        campaign=make_campaign(current_app, training.id, "invitee@adherent.example.org"),
        join_token=join,
    )


def page_urls(site: Site) -> dict[str, list[str]]:
    """Each HTML page's endpoint → the addresses to check it at (call in a request context)."""
    event, training = site.instant_id, site.training_id
    return {
        # Public pages
        "events.catalogue": [url_for("events.catalogue"), url_for("events.catalogue", type="x")],
        "events.event_page": [
            url_for("events.event_page", slug=site.instant_slug),
            url_for("events.event_page", slug=site.training_slug),
        ],
        "registrations.register": [url_for("registrations.register", slug=site.training_slug)],
        "registrations.confirmation": [],  # reached by registering, in the walk below
        "registrations.manage": [url_for("registrations.manage", token=site.token)],
        "registrations.cancel": [url_for("registrations.cancel", token=site.token)],
        "registrations.hand_over": [url_for("registrations.hand_over", token=site.token)],
        "registrations.details": [url_for("registrations.details", token=site.token)],
        "series.series_list": [url_for("series.series_list")],
        "series.series_page": [url_for("series.series_page", slug=site.series_slug)],
        "series.confirm": [url_for("series.confirm", token=site.follower_token)],
        "series.stop_following": [url_for("series.stop_following", token=site.follower_token)],
        "series.follow_as_registrant": [url_for("series.follow_as_registrant", token=site.token)],
        "staff.login": [url_for("staff.login")],
        "join.join": [url_for("join.join", token=site.join_token)],  # too early: when to come
        # Back office
        "staff.dashboard": [url_for("staff.dashboard")],
        "staff.choose_password": [url_for("staff.choose_password")],
        "event_management.list_events": [url_for("event_management.list_events")],
        "event_management.new_event": [url_for("event_management.new_event")],
        "event_management.event_detail": [
            url_for("event_management.event_detail", event_id=event),
            url_for("event_management.event_detail", event_id=training),
        ],
        "event_management.edit_event": [url_for("event_management.edit_event", event_id=training)],
        "event_management.preview_event": [
            url_for("event_management.preview_event", event_id=training)
        ],
        "event_management.cancel_event": [url_for("event_management.cancel_event", event_id=event)],
        "registration_management.list_registrations": [
            url_for("registration_management.list_registrations", event_id=event)
        ],
        "registration_management.add_registration": [
            url_for("registration_management.add_registration", event_id=event)
        ],
        "registration_management.cancel": [
            url_for(
                "registration_management.cancel",
                event_id=event,
                registration_id=site.registration_id,
            )
        ],
        "registrant_messages.write": [url_for("registrant_messages.write", event_id=event)],
        "reminders.manage_reminders": [url_for("reminders.manage_reminders", event_id=event)],
        "member_management.list_structures": [url_for("member_management.list_structures")],
        "member_management.new_structure": [url_for("member_management.new_structure")],
        "member_management.edit_structure": [
            url_for("member_management.edit_structure", structure_id=site.structure_id)
        ],
        "member_management.import_structures": [url_for("member_management.import_structures")],
        "member_management.structure_page": [
            url_for("member_management.structure_page", structure_id=site.structure_id)
        ],
        "support_management.list_supports": [
            url_for("support_management.list_supports", annee=2026)
        ],
        "support_management.new_support": [url_for("support_management.new_support")],
        "support_management.edit_support": [
            url_for("support_management.edit_support", support_id=site.support_id)
        ],
        "support_management.list_themes": [url_for("support_management.list_themes")],
        "support_management.figures": [
            url_for("support_management.figures", du="2026-01-01", au="2026-12-31")
        ],
        "attendance_import.upload": [url_for("attendance_import.upload", event_id=event)],
        "mail_management.list_mail": [url_for("mail_management.list_mail")],
        "mail_management.show_mail": [url_for("mail_management.show_mail", mail_id=site.mail_id)],
        "audit.journal": [url_for("audit.journal")],
        "series_management.list_series": [url_for("series_management.list_series")],
        "series_management.series_followers": [
            url_for("series_management.series_followers", series_id=site.series_id)
        ],
        "reports.figures": [
            url_for("reports.figures"),
            url_for("reports.figures", du="2025-01-01", au="2025-12-31"),
        ],
        "staff_accounts.list_accounts": [url_for("staff_accounts.list_accounts")],
        "privacy_management.search": [
            url_for("privacy_management.search"),
            url_for("privacy_management.search", q="martin"),
        ],
        "privacy_management.person": [
            url_for("privacy_management.person", person_id=site.person_id)
        ],
        "campaigns.all_campaigns": [url_for("campaigns.all_campaigns")],
        "campaigns.event_campaigns": [url_for("campaigns.event_campaigns", event_id=training)],
        "campaigns.new_campaign": [
            url_for("campaigns.new_campaign", event_id=event, abonnes=1),
            url_for("campaigns.new_campaign", event_id=training),
        ],
        "campaigns.follow_up": [url_for("campaigns.follow_up", campaign_id=site.campaign[0])],
        "campaigns.remind": [url_for("campaigns.remind", campaign_id=site.campaign[0])],
        "campaigns.unsubscriptions": [url_for("campaigns.unsubscriptions")],
        "invitations.invited": [site.campaign[1]],
        "invitations.unsubscribe_page": [site.campaign[2]],
        **attendance_pages(site),
    }


def attendance_pages(site: Site) -> dict[str, list[str]]:
    """The door's check-in pages and the attendance overview, someone checked in."""
    event = site.instant_id
    session = db.session.get(Event, event).sessions[0].id
    check_in(site.registration_id, session, None)
    training_session = db.session.get(Event, site.training_id).sessions[0].id
    registration = db.session.get(Registration, site.registration_id)
    secret = current_app.config["SECRET_KEY"]
    current_app.config["SECRET_KEY"] = "live-server-test-secret"  # the code as served
    try:
        token = check_in_token(registration)
    finally:
        current_app.config["SECRET_KEY"] = secret
    door = {"event_id": event, "session_id": session}
    return {
        "check_in.door": [url_for("check_in.door", event_id=event)],
        "check_in.session_list": [
            url_for("check_in.session_list", **door),
            url_for("check_in.session_list", **door, q="introuvable"),
        ],
        "check_in.walk_in": [url_for("check_in.walk_in", **door)],
        "check_in.scanned": [url_for("check_in.scanned", token=token)],
        "attendance_overview.event_overview": [
            url_for("attendance_overview.event_overview", event_id=site.training_id)
        ],
        "attendance_overview.session_overview": [
            url_for("attendance_overview.session_overview", **door),
            url_for(
                "attendance_overview.session_overview",
                event_id=site.training_id,
                session_id=training_session,
            ),
        ],
        "attendance_overview.mark": [
            url_for("attendance_overview.mark", **door, registration_id=site.registration_id)
        ],
        **attendance_paperwork_urls(site),
    }


def attendance_paperwork_urls(site: Site) -> dict[str, list[str]]:
    event, session = site.training_id, site.training_session_id
    trainee = {"event_id": event, "session_id": session, "registration_id": site.trainee_id}
    return {
        "sign_in.sessions": [url_for("sign_in.sessions", event_id=event)],
        "sign_in.roster": [url_for("sign_in.roster", event_id=event, session_id=session)],
        "sign_in.sign_on_tablet": [url_for("sign_in.sign_on_tablet", **trainee)],
        "sign_in.absence": [url_for("sign_in.absence", **trainee)],
        "sign_in.sign_own": [
            url_for("sign_in.sign_own", token=site.trainee_token, session_id=session)
        ],
        "certificates.list_certificates": [
            url_for("certificates.list_certificates", event_id=event)
        ],
    }


def html_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static" and not NOT_A_PAGE.search(rule.rule)
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_walk_lists_every_page_of_the_site(app):
    site = build_site()
    with app.test_request_context():
        listed = page_urls(site)
    missing = html_endpoints(app) - listed.keys()
    assert not missing, f"pages to add to page_urls() in {__name__}: {sorted(missing)}"


@pytest.mark.browser
@pytest.mark.live
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_passes_axe_and_reflows_at_320_px(app, chromium, live_server):  # noqa: F811
    site = build_site()
    with app.test_request_context():
        urls = page_urls(site)
    every_url = [url for endpoint_urls in urls.values() for url in endpoint_urls]
    staff_pages = [url for url in every_url if url.startswith("/gestion/")]
    public_pages = [url for url in every_url if url not in staff_pages]
    axe = axe_api.Axe()
    problems: list[str] = []

    def check(page, label: str) -> None:
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                problems.append(f"{label}: {violation['id']} ({violation['impact']}) {targets}")

    def check_reflow(page, label: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["viewport"]["width"]:
            problems.append(f"{label}: {width} px wide at 320 px")

    def visit(page, url: str, status: int = 200) -> None:
        response = page.goto(url)
        assert response.status == status, f"{url} answered {response.status}"
        check(page, url)

    # The axe script is injected into each page; the strict CSP must not stop it.
    context, page = new_page(chromium, live_server, DESKTOP, bypass_csp=True)
    narrow_context, narrow = new_page(chromium, live_server, NARROW)
    try:
        for url in public_pages:
            visit(page, url)
            narrow.goto(url)
            check_reflow(narrow, url)
        visit(page, "/evenements/cet-evenement-n-existe-pas", status=404)  # the error page

        # Pages that answer a form: with its errors, then the confirmation.
        page.goto(urls["registrations.register"][0])
        page.get_by_role("button", name="Valider mon inscription").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check(page, "formulaire d'inscription avec erreurs")
        fill_registration(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text("confirmée")
        check(page, "confirmation")
        page.goto(urls["registrations.manage"][0])
        # The form posts to BASE_URL, which is not this test server's address.
        page.eval_on_selector("form.personal-feed", "f => f.action = new URL(f.action).pathname")
        page.get_by_role("button", name=re.compile("agenda personnel")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mon agenda personnel")
        check(page, "agenda personnel")
        # The feed address is long and unbroken: it must wrap, not widen the page.
        page.set_viewport_size(NARROW["viewport"])
        check_reflow(page, "agenda personnel")
        page.set_viewport_size(DESKTOP["viewport"])

        page.goto(urls["series.series_page"][0])
        page.get_by_role("button", name="Suivre la série").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check(page, "formulaire pour suivre une série avec erreurs")
        page.get_by_label("Adresse e-mail").fill("camille.martin@jardins-lauragais.example.org")
        page.get_by_label("Prénom").fill("Camille")
        page.get_by_label("Nom", exact=True).fill("Martin")
        page.get_by_role("button", name="Suivre la série").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
        check(page, "demande de suivi envoyée")

        page.goto("/gestion/")
        page.get_by_label("Adresse e-mail").fill(STAFF_EMAIL)
        page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        for url in staff_pages:
            visit(page, url)

        page.goto(urls["event_management.new_event"][0])
        page.get_by_role("button", name="Enregistrer", exact=True).last.click()
        expect(page.get_by_role("alert")).to_be_visible()
        check(page, "formulaire d'événement avec erreurs")
        page.goto(urls["member_management.import_structures"][0])
        page.get_by_label(re.compile("Fichier")).set_input_files(DIRECTORY_CSV)
        page.get_by_role("button", name=re.compile("Prévisualiser|Vérifier|Envoyer")).click()
        expect(page.get_by_role("button", name="Confirmer l'import").first).to_be_visible()
        check(page, "aperçu de l'import")
        page.goto(urls["attendance_import.upload"][0])
        page.get_by_label(re.compile("Rapport de présence")).set_input_files(ATTENDANCE_REPORT)
        page.get_by_role("button", name="Prévisualiser l'import").click()
        page.get_by_role("button", name="Confirmer l'import").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Rapport importé")
        check(page, "rapport de présence importé")
    finally:
        context.close()
        narrow_context.close()

    assert not problems, "\n".join(problems)


def fill_registration(page) -> None:
    page.get_by_label("Adresse e-mail").fill("camille.martin@jardins-lauragais.example.org")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Fonction").fill("Chargée d'insertion professionnelle")
    page.get_by_label("Structure", exact=True).select_option(
        label="Chantier d'insertion Les Jardins du Lauragais"
    )
    page.get_by_role("button", name="Valider mon inscription").click()


@pytest.mark.browser
@pytest.mark.live
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_same_named_events_and_their_sessions_are_told_apart(chromium, live_server):  # noqa: F811
    site = build_site()
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto("/")
        instants = page.get_by_role("link", name=re.compile("^L'Instant Coorace — "))
        expect(instants).to_have_count(2)
        names = instants.evaluate_all("links => links.map(link => link.textContent)")
        assert len(set(names)) == 2, names

        titles, headings = set(), set()
        for link in names:
            page.goto("/")
            page.get_by_role("link", name=link).click()
            titles.add(page.title())
            headings.add(page.get_by_role("heading", level=1).text_content())
        assert len(titles) == len(headings) == 2
        assert all(t.startswith("L'Instant Coorace — ") for t in titles), titles

        page.goto(f"/evenements/{site.training_slug}")
        google = page.get_by_role("link", name=re.compile("^Google Agenda"))
        expect(google).to_have_count(4)
        expect(google.first).to_have_accessible_name(
            re.compile(r"^Google Agenda : session 1 sur 4, .+ 20\d\d (de|à) \d+ h")
        )
        link_names = set()
        for index in range(4):
            for service in ("Google Agenda", "Outlook.com", "Office 365"):
                link = page.get_by_role("link", name=re.compile(f"^{re.escape(service)}")).nth(
                    index
                )
                link_names.add(link.evaluate("link => link.textContent"))
        assert len(link_names) == 12  # each names its session
    finally:
        context.close()
