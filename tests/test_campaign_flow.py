"""A campaign from the team's pages to the follow-up: inviting people chosen
by filters, registering through the personal link, « relancer » only those who
did not answer, never writing to an unsubscribed address."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.invitations.models import Campaign, CampaignRecipient, Unsubscription
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import StructureKind
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationSource
from tests.builders import applicant, make_event, make_structure
from tests.campaign_helpers import (
    add_people,
    deliver,
    delivered,
    filled_form,
    invitation_path,
    text_of,
)

FILTERS = {"kinds": "ACI", "departments": "11"}
MAIL = {
    "subject": "Invitation : {evenement}",
    "body": "Bonjour {prenom} {nom} ({structure}),\n\nInscrivez-vous : {lien_inscription}",
}


def build_directory():
    """40 people reachable by « ACI of the Aude », one of them registered already,
    one unsubscribed, and people of other kinds and departments."""
    aude_a = make_structure("Chantier Aude", department="11")
    aude_b = make_structure("Jardins Aude", department="11")
    aude_b.email = "contact@jardins-aude.example.org"
    ei = make_structure("Entreprise Aude", department="11", kinds=(StructureKind.EI,))
    toulouse = make_structure("Chantier Toulouse", department="31")
    invited = add_people(aude_a, 22, "a") + add_people(aude_b, 19, "b")
    add_people(ei, 5, "e")
    add_people(toulouse, 5, "t")
    return invited, aude_a


def test_whole_campaign_flow(app, staff_client):
    people, aude_a = build_directory()
    event = make_event("Forum de l'inclusion", capacity=100)
    services.register(
        event.id,
        applicant(1, aude_a, email=people[0].email),
    )
    unsubscribed = people[1].email
    db.session.add(Unsubscription(email=unsubscribed, from_purpose="campaign_invitation"))
    db.session.commit()
    url = f"/gestion/evenements/{event.id}/campagnes/nouvelle"

    preview = staff_client.post(url, data=FILTERS | MAIL | {"send_key": "k1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Aperçu : 40 destinataires" in page
    assert "Envoyer à 40 personnes" in page
    assert "déjà inscrit·e" in page and "désabonné·e" in page
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 1  # confirmation

    sent = staff_client.post(url, data=FILTERS | MAIL | {"send_key": "k1", "envoyer": "1"})
    assert sent.status_code == 303
    again = staff_client.post(url, data=FILTERS | MAIL | {"send_key": "k1", "envoyer": "1"})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    [campaign] = db.session.scalars(select(Campaign)).all()

    deliver(app)
    invitations = delivered(app, "campaign_invitation")
    assert len(invitations) == 40
    addresses = {message["To"].addresses[0].addr_spec for message in invitations}
    assert unsubscribed not in addresses and people[0].email not in addresses
    assert "contact@jardins-aude.example.org" in addresses
    first = next(m for m in invitations if m["To"].addresses[0].addr_spec == people[2].email)
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Unsubscribe"].strip().startswith("<http://localhost/desabonnement/")
    assert "Bonjour Prénom3 A 3 (Chantier Aude)" in text_of(first)

    # Ten of the people the directory knows (names, structure) register in one click.
    registering = [m for m in invitations if m["To"].addresses[0].display_name][:10]
    for message in registering:
        link = invitation_path(message)
        invitee = staff_client.application.test_client()  # no cookie of the team's
        form = filled_form(invitee.get(link).get_data(as_text=True))
        assert form["email"] == message["To"].addresses[0].addr_spec
        assert form["first_name"] and form["last_name"] and form["structure"]
        done = invitee.post(link, data=form)
        assert done.status_code == 303, done.get_data(as_text=True)
    through_link = db.session.scalars(
        select(Registration).where(Registration.source == RegistrationSource.INVITATION)
    ).all()
    assert len(through_link) == 10
    linked = db.session.scalar(
        select(func.count())
        .select_from(CampaignRecipient)
        .where(CampaignRecipient.registration_id.is_not(None))
    )
    assert linked == 10

    follow = staff_client.get(f"/gestion/campagnes/{campaign.id}").get_data(as_text=True)
    assert "<strong>40</strong> invité·es" in follow
    assert "<strong>10</strong> ont ouvert le formulaire" in follow
    assert "<strong>10</strong> inscrit·es par leur lien" in follow
    assert "<strong>30</strong> sans réponse" in follow

    refused = staff_client.post(f"/gestion/campagnes/{campaign.id}/relancer")
    assert refused.status_code == 303
    assert db.session.scalar(select(Campaign.reminder_count)) == 0

    with time_machine.travel(utcnow() + dt.timedelta(days=3, minutes=1), tick=True):
        confirm = staff_client.get(f"/gestion/campagnes/{campaign.id}/relancer")
        assert "Envoyer la relance à 30 personnes" in confirm.get_data(as_text=True)
        assert staff_client.post(f"/gestion/campagnes/{campaign.id}/relancer").status_code == 303
        deliver(app)
        reminders = delivered(app, "campaign_reminder")
        reminded = {message["To"].addresses[0].addr_spec for message in reminders}
        registered = {message["To"].addresses[0].addr_spec for message in registering}
        assert len(reminders) == 30
        assert reminded == addresses - registered
        assert all(m["Subject"].startswith("Relance : ") for m in reminders)

        second = staff_client.post(f"/gestion/campagnes/{campaign.id}/relancer")
        assert second.status_code == 303
        shown = staff_client.get(f"/gestion/campagnes/{campaign.id}").get_data(as_text=True)
        assert "Prochaine relance possible à partir du" in shown
        deliver(app)
        assert len(delivered(app, "campaign_reminder")) == 30
    everything = delivered(app, "campaign_invitation") + delivered(app, "campaign_reminder")
    assert unsubscribed not in {m["To"].addresses[0].addr_spec for m in everything}
