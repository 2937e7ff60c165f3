"""Following a series: from its public page (double opt-in through a real
mail), from the registration confirmation mail (one click), stopping from a
mail (GET shows a button, only POST stops), and what the team sees."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import time_machine
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import EventKind, EventStatus, Series
from instant_coorace.extensions import db
from instant_coorace.invitations import following
from instant_coorace.invitations.models import SeriesFollower, Unsubscription
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.worker import run_jobs
from instant_coorace.members.models import Person
from instant_coorace.registrations import services as registrations
from tests.builders import applicant, make_event

pytest_plugins = ("tests.smtp_server",)

ADDRESS = "Claire.Fabre@Chantier-Lauragais.example.org"
STORED = ADDRESS.lower()
CONFIRM_LINK = re.compile(r"http://localhost(/suivi/[A-Za-z0-9_-]{40,})(?![/A-Za-z0-9_-])")
STOP_LINK = re.compile(r"http://localhost(/suivi/[A-Za-z0-9_-]{40,}/arreter)")
REGISTRANT_LINK = re.compile(r"http://localhost(/suivi/inscription/[A-Za-z0-9_-]{40,})")


def make_series(name: str = "L'Instant Coorace", slug: str = "instant-coorace") -> Series:
    series = Series(name=name, slug=slug, description="Un **webinaire** trimestriel du réseau.")
    db.session.add(series)
    db.session.commit()
    return series


def follow_form(**fields) -> dict[str, str]:
    return {"email": ADDRESS, "first_name": "Claire", "last_name": "Fabre"} | fields


def followers() -> list[SeriesFollower]:
    db.session.rollback()
    return list(db.session.scalars(select(SeriesFollower).order_by(SeriesFollower.id)))


def mail_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutgoingMail))


def text_of(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def html_of(received) -> str:
    return received.message.get_body(("html",)).get_content()


def test_following_from_the_series_page_waits_for_the_link_of_a_real_mail(
    smtp_app, smtp_server, client
):
    series = make_series()
    make_event("L'Instant Coorace", series_id=series.id, slug="instant-coorace-printemps")
    make_event("L'Instant Coorace", series_id=series.id, status=EventStatus.DRAFT, slug="brouillon")
    db.session.add(Unsubscription(email=STORED, from_purpose="campaign_invitation"))
    db.session.commit()

    page = client.get("/series/instant-coorace").get_data(as_text=True)
    assert "<strong>webinaire</strong>" in page
    assert "/evenements/instant-coorace-printemps" in page and "/evenements/brouillon" not in page

    asked = client.post("/series/instant-coorace/suivre", data=follow_form())
    assert asked.status_code == 200
    assert "Vérifiez votre messagerie" in asked.get_data(as_text=True)
    [follower] = followers()
    assert not follower.is_confirmed and follower.person.email == STORED

    run_jobs()
    [received] = smtp_server.received
    assert received.rcpt_tos == [STORED]
    assert received.message["Subject"] == "Confirmez : suivre la série « L'Instant Coorace »"
    [link] = CONFIRM_LINK.findall(text_of(received))
    assert f"http://localhost{link}" in html_of(received)

    page = client.get(link)  # what a mail scanner does: nothing changes
    assert page.status_code == 200 and "Oui, suivre cette série" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert not followers()[0].is_confirmed

    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "Vous suivez la série « L&#39;Instant Coorace »" in confirmed.get_data(as_text=True)
    assert followers()[0].is_confirmed
    # Following is the person's own act: it undoes their earlier unsubscription.
    assert db.session.scalar(select(func.count()).select_from(Unsubscription)) == 0
    assert "déjà" in client.get(link).get_data(as_text=True)


def test_asking_again_sends_one_mail_a_day_and_says_when_one_follows_already(
    smtp_app, smtp_server, client
):
    make_series()
    for _ in range(5):
        assert client.post("/series/instant-coorace/suivre", data=follow_form()).status_code == 200
    run_jobs()
    assert len(smtp_server.received) == 1
    [link] = CONFIRM_LINK.findall(text_of(smtp_server.received[0]))
    client.post(link)

    # Same page whatever the address follows: the mail tells, once a day.
    for _ in range(3):
        page = client.post("/series/instant-coorace/suivre", data=follow_form(first_name="X"))
        assert "Vérifiez votre messagerie" in page.get_data(as_text=True)
    run_jobs()
    assert len(smtp_server.received) == 2
    already = smtp_server.received[1]
    assert already.message["Subject"] == "Vous suivez déjà la série « L'Instant Coorace »"
    assert CONFIRM_LINK.findall(text_of(already)) == []
    assert STOP_LINK.findall(text_of(already))
    assert len(followers()) == 1
    assert db.session.scalars(select(Person.first_name)).one() == "Claire"  # record kept

    with time_machine.travel(utcnow() + dt.timedelta(days=1)):
        client.post("/series/instant-coorace/suivre", data=follow_form())
        run_jobs()
    assert len(smtp_server.received) == 3


def test_a_forged_or_expired_confirmation_link_changes_nothing(smtp_app, smtp_server, client):
    make_series()
    client.post("/series/instant-coorace/suivre", data=follow_form())
    run_jobs()
    [link] = CONFIRM_LINK.findall(text_of(smtp_server.received[0]))

    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    for response in (client.get(forged), client.post(forged), client.post(forged + "/arreter")):
        assert response.status_code == 404
        assert "Lien introuvable" in response.get_data(as_text=True)
    assert not followers()[0].is_confirmed

    with time_machine.travel(utcnow() + dt.timedelta(days=8)):
        for response in (client.get(link), client.post(link)):
            assert response.status_code == 410
            assert "Ce lien de confirmation a expiré" in response.get_data(as_text=True)
        assert not followers()[0].is_confirmed
        # Asking again sends a new link; the expired one stays dead.
        client.post("/series/instant-coorace/suivre", data=follow_form())
        run_jobs()
        [new_link] = CONFIRM_LINK.findall(text_of(smtp_server.received[1]))
        assert new_link != link
        assert client.post(link).status_code == 404
        assert client.post(new_link).status_code == 200
    assert followers()[0].is_confirmed


def test_the_public_form_refuses_bad_input_next_to_the_field_and_writes_nothing(client):
    make_series()
    response = client.post(
        "/series/instant-coorace/suivre", data=follow_form(email="pas-une-adresse", last_name="")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Cette adresse e-mail n&#39;est pas valide" in page and "Indiquez le nom." in page
    assert 'value="Claire"' in page and 'aria-invalid="true"' in page
    assert followers() == [] and mail_count() == 0
    assert client.post("/series/inconnue/suivre", data=follow_form()).status_code == 404
    assert client.get("/series/inconnue").status_code == 404


def test_a_registrant_follows_in_one_click_from_the_confirmation_mail(
    smtp_app, smtp_server, client
):
    series = make_series()
    event = make_event("L'Instant Coorace", series_id=series.id)
    other = make_event("Formation RH", kind=EventKind.FORMATION)
    db.session.add(Unsubscription(email="personne1@adherent.example.org"))
    db.session.commit()
    registrations.register(event.id, applicant(1))
    registrations.register(other.id, applicant(2))
    run_jobs()
    mine, outside = sorted(smtp_server.received, key=lambda mail: mail.rcpt_tos)
    assert REGISTRANT_LINK.findall(text_of(outside)) == []
    [link] = REGISTRANT_LINK.findall(text_of(mine))
    assert f"http://localhost{link}" in html_of(mine)
    assert "« L'Instant Coorace »" in text_of(mine)

    page = client.get(link)
    assert page.status_code == 200 and "Suivre cette série" in page.get_data(as_text=True)
    assert followers() == []
    before = mail_count()

    assert client.post(link).status_code == 200
    [follower] = followers()
    assert follower.is_confirmed and follower.person.email == "personne1@adherent.example.org"
    assert mail_count() == before  # no double opt-in: the link proved the address
    assert db.session.scalar(select(func.count()).select_from(Unsubscription)) == 0
    assert "déjà" in client.get(link).get_data(as_text=True)
    assert client.post("/suivi/inscription/faux-jeton").status_code == 404


def test_stopping_from_a_mail_needs_the_button_not_just_the_link(smtp_app, smtp_server, client):
    make_series()
    client.post("/series/instant-coorace/suivre", data=follow_form())
    run_jobs()
    [confirm] = CONFIRM_LINK.findall(text_of(smtp_server.received[0]))
    client.post(confirm)
    client.post("/series/instant-coorace/suivre", data=follow_form())
    run_jobs()
    [stop] = STOP_LINK.findall(text_of(smtp_server.received[1]))

    for _ in range(3):  # a mail scanner, a preview, a second look
        page = client.get(stop)
        assert page.status_code == 200
        assert "Oui, ne plus suivre cette série" in page.get_data(as_text=True)
    assert len(followers()) == 1

    stopped = client.post(stop)
    assert stopped.status_code == 200
    assert "Vous ne suivez plus la série" in stopped.get_data(as_text=True)
    assert followers() == []
    assert client.get(stop).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Unsubscription)) == 0


def _follower(series: Series, number: int, *, confirmed: bool) -> None:
    person = Person(
        email=f"abonne{number}@example.org", first_name=f"Prénom{number}", last_name="Nom"
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(
        SeriesFollower(
            series_id=series.id,
            person_id=person.id,
            confirmed_at=dt.datetime(2026, 3, number, 9, tzinfo=dt.UTC) if confirmed else None,
        )
    )
    db.session.commit()


def test_the_team_sees_each_series_with_its_followers(client, staff_client):
    series = make_series()
    make_series("Ateliers collectifs", "ateliers-collectifs")
    for number in (1, 2, 3):
        _follower(series, number, confirmed=True)
    _follower(series, 4, confirmed=False)

    listing = staff_client.get("/gestion/series/").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", listing, re.S)
    assert re.search(r"L&#39;Instant Coorace</a></td>\s*<td>3</td>\s*<td>1</td>", rows[2])
    assert re.search(r"Ateliers collectifs</a></td>\s*<td>0</td>\s*<td>0</td>", rows[1])

    page = staff_client.get(f"/gestion/series/{series.id}").get_data(as_text=True)
    assert "abonne1@example.org" in page and "abonne4@example.org" in page
    assert page.count("Confirmé·e</span>") == 3 and page.count("En attente</span>") == 1
    assert "2 mars 2026" in page
    assert staff_client.get("/gestion/series/999999").status_code == 404


def test_publishing_an_event_of_a_series_offers_to_announce_it_to_its_followers(staff_client):
    series = make_series()
    for number in (1, 2, 3):
        _follower(series, number, confirmed=True)
    _follower(series, 4, confirmed=False)
    db.session.add(Unsubscription(email="abonne3@example.org"))
    db.session.commit()
    event = make_event("L'Instant Coorace", series_id=series.id, status=EventStatus.DRAFT)
    lonely = make_event("Formation RH", kind=EventKind.FORMATION, status=EventStatus.DRAFT)

    assert "Annoncer" not in staff_client.get(f"/gestion/evenements/{event.id}").get_data(
        as_text=True
    )
    page = staff_client.post(f"/gestion/evenements/{event.id}/publier", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Annoncer aux 2 abonné·es de la série" in html
    assert f'href="/gestion/evenements/{event.id}/campagnes/nouvelle?abonnes=1"' in html

    page = staff_client.post(f"/gestion/evenements/{lonely.id}/publier", follow_redirects=True)
    assert "Annoncer" not in page.get_data(as_text=True)


def test_the_series_are_listed_and_linked_from_the_catalogue_and_their_events(client):
    series = make_series()
    event = make_event("L'Instant Coorace", series_id=series.id)
    make_series("CAP RSE", "cap-rse")
    listing = client.get("/series/").get_data(as_text=True)
    assert "1 date à venir" in listing and "Pas de date annoncée" in listing
    assert 'href="/series/"' in client.get("/").get_data(as_text=True)
    assert 'href="/series/instant-coorace"' in client.get(f"/evenements/{event.slug}").get_data(
        as_text=True
    )


def test_the_demo_series_has_followers_and_one_waiting_for_its_mail(runner, staff_client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    series = db.session.scalars(select(Series).where(Series.name == "L'Instant Coorace")).one()
    assert series.description
    states = [follower.is_confirmed for follower in followers()]
    assert states.count(True) == 6 and states.count(False) == 1
    pending = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.purpose == "series_follow_confirm")
    ).one()
    assert pending.to_email == "lea.garnier@example.org"
    page = staff_client.get(f"/gestion/series/{series.id}").get_data(as_text=True)
    assert page.count("Confirmé·e</span>") == 6 and "lea.garnier@example.org" in page


def test_the_same_request_sent_at_once_makes_one_follower_and_one_mail(app):
    make_series()
    clients = 8
    barrier = threading.Barrier(clients)
    request = following.FollowRequest(ADDRESS, "Claire", "Fabre")

    def ask(_: int) -> None:
        with app.app_context():  # its own session and connection
            barrier.wait(timeout=30)
            following.ask_to_follow("instant-coorace", request)
            db.session.remove()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(ask, range(clients)))
    assert len(followers()) == 1
    assert mail_count() == 1
