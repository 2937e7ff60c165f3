"""The team's outgoing-mail page: see what failed and why, retry, cancel."""

from __future__ import annotations

from instant_coorace.extensions import db
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.outbox import PAGE_SIZE
from tests.builders import queue_mail


def failed_mail(number: int = 1) -> OutgoingMail:
    mail = queue_mail(number)
    mail.status = MailStatus.FAILED
    mail.attempts = 1
    mail.last_error = "550 5.1.1 <personne1@adherent.example.org>: Recipient address rejected"
    db.session.commit()
    return mail


def test_the_page_is_for_the_team_only(client):
    response = client.get("/gestion/courriels/")
    assert response.status_code == 302
    assert "/gestion/connexion" in response.headers["Location"]


def test_staff_see_recipient_subject_status_and_the_servers_error(staff_client):
    failed_mail()
    queue_mail(2, subject="Liste d'attente : atelier RSE")
    page = staff_client.get("/gestion/courriels/").get_data(as_text=True)
    assert "Élodie Dupré" in page
    assert "personne1@adherent.example.org" in page
    assert "Liste d&#39;attente : atelier RSE" in page
    assert "Échec (1)" in page
    assert "En attente (1)" in page
    assert "Recipient address rejected" in page
    assert "Courriels</a>" in page  # in the back-office navigation


def test_the_status_filter_shows_only_that_status(staff_client):
    failed_mail(1)
    queue_mail(2, subject="Toujours en attente")
    page = staff_client.get("/gestion/courriels/?statut=failed").get_data(as_text=True)
    assert "Recipient address rejected" in page
    assert "Toujours en attente" not in page
    unknown = staff_client.get("/gestion/courriels/?statut=n-importe-quoi")
    assert unknown.status_code == 200
    assert "Toujours en attente" in unknown.get_data(as_text=True)


def test_retrying_a_failed_mail_queues_it_again_with_fresh_attempts(staff_client):
    mail = failed_mail()
    response = staff_client.post(f"/gestion/courriels/{mail.id}/renvoyer", follow_redirects=True)
    assert "de nouveau en attente" in response.get_data(as_text=True)
    db.session.expire_all()
    assert mail.status is MailStatus.QUEUED
    assert mail.attempts == 0


def test_cancelling_a_queued_mail_keeps_it_from_leaving(staff_client):
    mail = queue_mail(1)
    response = staff_client.post(f"/gestion/courriels/{mail.id}/annuler", follow_redirects=True)
    assert "ne sera pas envoyé" in response.get_data(as_text=True)
    db.session.expire_all()
    assert mail.status is MailStatus.CANCELLED


def test_a_sent_mail_can_be_neither_retried_nor_cancelled(staff_client):
    mail = queue_mail(1)
    mail.status = MailStatus.SENT
    db.session.commit()
    for action in ("renvoyer", "annuler"):
        response = staff_client.post(
            f"/gestion/courriels/{mail.id}/{action}", follow_redirects=True
        )
        assert response.status_code == 200
        assert "Seul un courriel" in response.get_data(as_text=True)
    db.session.expire_all()
    assert mail.status is MailStatus.SENT


def test_an_unknown_mail_is_a_french_404(staff_client):
    response = staff_client.post("/gestion/courriels/999/renvoyer")
    assert response.status_code == 404
    assert "Ce courriel n&#39;existe pas." in response.get_data(as_text=True)


def test_actions_need_the_csrf_token(app, staff_client):
    mail = queue_mail(1)
    app.config["WTF_CSRF_ENABLED"] = True
    assert staff_client.post(f"/gestion/courriels/{mail.id}/annuler").status_code == 400
    db.session.expire_all()
    assert mail.status is MailStatus.QUEUED


def test_a_mail_still_to_be_rendered_is_listed_as_being_prepared(staff_client):
    from instant_coorace.registrations import services
    from tests.builders import applicant, make_event

    services.register(make_event().id, applicant(1))
    page = staff_client.get("/gestion/courriels/").get_data(as_text=True)
    assert "En préparation" in page
    assert "personne1@adherent.example.org" in page


def test_a_long_outbox_comes_in_pages_newest_first_within_the_status_filter(staff_client):
    for number in range(PAGE_SIZE + 1):
        failed_mail(number)
    queue_mail(999, subject="Toujours en attente")
    url = "/gestion/courriels/?statut=failed"
    first = staff_client.get(url).get_data(as_text=True)
    second = staff_client.get(url + "&page=2").get_data(as_text=True)
    assert "Page 1 sur 2" in first
    assert "statut=failed" in first.split("Page suivante")[0].rsplit("href=", 1)[1]
    assert "personne0@" not in first  # the oldest is on the last page
    assert "personne0@" in second
    assert "Toujours en attente" not in first + second
