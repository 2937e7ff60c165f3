"""Unsubscribing from invitations (RFC 8058): a mail client's one-click POST
works with no session and no CSRF token; a GET, which mail scanners make, never
unsubscribes; a forged link changes nothing; transactional mail still goes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.registrations import services
from tests.builders import applicant, make_event
from tests.campaign_helpers import deliver, delivered, invitation_path, unsubscribe_path
from tests.conftest import _reset_schema

ADDRESSES = ("alice@adherent.example.org", "bruno@adherent.example.org")
DRAFT = campaigns.Draft(
    "Invitation : {evenement}", "Bonjour,\n\n{lien_inscription}", Selection(pasted=ADDRESSES)
)


@pytest.fixture
def csrf_app(make_app):
    """The application as in production: CSRF checked on every form."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        _reset_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


def unsubscriptions() -> list[Unsubscription]:
    return list(db.session.scalars(select(Unsubscription)))


def test_one_click_post_unsubscribes_without_cookie_or_token(csrf_app):
    event = make_event("Forum de l'inclusion")
    campaigns.send(event.id, DRAFT, "cle1", None)
    deliver(csrf_app)
    [alice, _bruno] = sorted(delivered(csrf_app, "campaign_invitation"), key=lambda m: m["To"])
    link = unsubscribe_path(alice)
    client = csrf_app.test_client()

    for _scan in range(3):  # a mail scanner following the link
        shown = client.get(link)
        assert shown.status_code == 200
        assert "Me désabonner" in shown.get_data(as_text=True)
    assert unsubscriptions() == []

    one_click = csrf_app.test_client().post(
        link,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    [entry] = unsubscriptions()
    assert entry.email == ADDRESSES[0]
    assert entry.from_purpose == "campaign_invitation"
    assert entry.from_subject == "Invitation : Forum de l'inclusion"

    # Twice is harmless, and the staff page shows who, from what, when.
    assert csrf_app.test_client().post(link).status_code == 200
    assert len(unsubscriptions()) == 1


def test_a_forged_link_is_a_clear_page_and_changes_nothing(app, client):
    event = make_event()
    campaigns.send(event.id, DRAFT, "cle1", None)
    deliver(app)
    message = delivered(app, "campaign_invitation")[0]
    link = unsubscribe_path(message)
    mail_id = link.split("/")[2]
    for forged in (
        f"/desabonnement/{mail_id}/{'A' * 43}",
        f"/desabonnement/{int(mail_id) + 1}/{link.split('/')[3]}",
        f"/desabonnement/999999/{'A' * 43}",
    ):
        for method in ("get", "post"):
            response = getattr(client, method)(forged)
            assert response.status_code == 404
            assert "Rien n&#39;a été modifié" in response.get_data(as_text=True)
    assert unsubscriptions() == []
    forged_invitation = client.get(invitation_path(message)[:-4] + "AAAA")
    assert forged_invitation.status_code == 404
    assert "Rien n&#39;a été modifié" in forged_invitation.get_data(as_text=True)


def test_unsubscribed_get_no_more_invitations_but_still_their_confirmations(
    app, client, staff_client
):
    event = make_event("Forum de l'inclusion")
    sent = campaigns.send(event.id, DRAFT, "cle1", None)
    deliver(app)
    alice = next(m for m in delivered(app, "campaign_invitation") if ADDRESSES[0] in str(m["To"]))
    waiting = campaigns.send(make_event("Atelier RSE").id, DRAFT, "cle2", None)
    assert waiting.queued == 2

    client.post(unsubscribe_path(alice))

    statuses = dict(
        db.session.execute(
            select(OutgoingMail.to_email, OutgoingMail.status).where(
                OutgoingMail.dedup_key.like("campaign_invitation:%"),
                OutgoingMail.status != MailStatus.SENT,
            )
        ).all()
    )
    assert statuses == {ADDRESSES[0]: MailStatus.CANCELLED, ADDRESSES[1]: MailStatus.PENDING}
    assert campaigns.reminder_count(sent.campaign_id) == 1  # Bruno only
    third = make_event("Matinale")
    assert campaigns.send(third.id, DRAFT, "cle3", None).queued == 1
    services.register(third.id, applicant(1, email=ADDRESSES[0]))
    deliver(app)
    assert len(delivered(app, "registration_confirmed")) == 1
    to_alice = [m for m in delivered(app, "campaign_invitation") if ADDRESSES[0] in str(m["To"])]
    assert len(to_alice) == 1  # the first one, before she unsubscribed

    page = staff_client.get("/gestion/desabonnements").get_data(as_text=True)
    assert ADDRESSES[0] in page
    assert "Invitation : « Invitation : Forum de l&#39;inclusion »" in page
    assert page.count('method="post"') == 1  # logging out: nothing re-subscribes anyone
