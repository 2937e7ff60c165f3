"""Bad input and faults of a campaign: a French message next to the field, the
team's input kept, nothing queued; SMTP down delays it without doubling it;
two presses of « Envoyer », or two staff at once, send one campaign."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import EventStatus
from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection
from instant_coorace.invitations.models import Campaign, Unsubscription
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.mail.worker import deliver_due_mail
from tests.builders import make_event

pytest_plugins = ("tests.smtp_server",)

GOOD = {
    "subject": "Invitation : {evenement}",
    "body": "Bonjour {prenom},\n\n{lien_inscription}",
    "pasted": "alice@adherent.example.org",
    "send_key": "cle1",
    "envoyer": "1",
}


def mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMail))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pasted": ""}, "Choisissez au moins un groupe, ou collez des adresses."),
        ({"body": "Bonjour {prénom}"}, "Champ inconnu : {prénom}."),
        ({"body": "Bonjour {prenom"}, "Une accolade n&#39;est pas refermée"),
        ({"subject": "Invitation {evenement"}, "Une accolade n&#39;est pas refermée"),
        ({"subject": "Venez : {lien_inscription}"}, "ne peut pas figurer dans l&#39;objet"),
        ({"subject": "Invitation\r\nBcc: tous@example.org"}, "doit tenir sur une seule ligne"),
        (
            {"pasted": "alice@adherent.example.org; pas-une-adresse, bruno@@exemple"},
            "2 adresses non valides : pas-une-adresse, bruno@@exemple.",
        ),
    ],
)
def test_refused_before_anything_is_queued(app, staff_client, changes, message):
    event = make_event()
    url = f"/gestion/evenements/{event.id}/campagnes/nouvelle"
    data = GOOD | changes
    response = staff_client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'aria-invalid="true"' in page or 'class="field-error"' in page
    assert "Bonjour {prenom" in page or "Bonjour {prénom}" in page  # the body is kept
    assert mails() == 0 and db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_no_recipient_left_after_exclusions(app, staff_client):
    event = make_event()
    data = GOOD | {"pasted": "alice@adherent.example.org"}
    db.session.add(Unsubscription(email="alice@adherent.example.org"))
    db.session.commit()
    before = mails()
    response = staff_client.post(f"/gestion/evenements/{event.id}/campagnes/nouvelle", data=data)
    assert response.status_code == 422
    assert "Aucun destinataire" in response.get_data(as_text=True)
    assert mails() == before


def test_a_draft_event_cannot_be_announced_yet(app, staff_client):
    event = make_event(status=EventStatus.DRAFT)
    response = staff_client.post(f"/gestion/evenements/{event.id}/campagnes/nouvelle", data=GOOD)
    assert response.status_code == 422
    assert "Publiez l&#39;événement avant d&#39;y inviter" in response.get_data(as_text=True)
    assert mails() == 0


def test_two_staff_sending_the_same_form_at_once_send_one_campaign(app):
    event_id = make_event().id
    db.session.rollback()  # no read transaction left open across the race
    draft = campaigns.Draft(
        "Invitation", "Bonjour", Selection(pasted=("a@example.org", "b@example.org"))
    )
    results, barrier = [], threading.Barrier(2)

    def press() -> None:
        with app.app_context():
            barrier.wait()
            results.append(campaigns.send(event_id, draft, "meme-cle", None))
            db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.already for result in results) == [False, True]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    assert mails() == 2


def test_smtp_down_delays_the_campaign_without_doubling_it(smtp_app, smtp_server):
    event = make_event()
    addresses = tuple(f"personne{n}@adherent.example.org" for n in range(5))
    campaigns.send(
        event.id, campaigns.Draft("Invitation", "Bonjour", Selection(pasted=addresses)), "cle", None
    )
    smtp_server.stop()
    render_all_pending()
    deliver_due_mail()
    assert smtp_server.received == []
    statuses = set(db.session.scalars(select(OutgoingMail.status)))
    assert statuses == {MailStatus.QUEUED}
    smtp_server.start()
    with time_machine.travel(utcnow() + dt.timedelta(hours=1), tick=True):
        deliver_due_mail()
        deliver_due_mail()
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == sorted(addresses)
