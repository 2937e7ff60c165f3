"""A campaign's personal links are never stored: the database holds markers
and hashes, the mails that leave hold working links. And who a campaign can
reach: the groups the team combines."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.database import utcnow
from instant_coorace.events.models import Series
from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection, audience
from instant_coorace.invitations.models import CampaignRecipient, SeriesFollower
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Membership, Person
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event, make_structure
from tests.campaign_helpers import (
    INVITATION_LINK,
    add_people,
    deliver,
    delivered,
    text_of,
    unsubscribe_path,
)
from tests.test_stored_links import TOKENISH, every_stored_string

ADDRESSES = tuple(f"invite{n}@adherent.example.org" for n in range(3))


def test_no_working_campaign_or_unsubscribe_link_is_stored(app, client):
    event = make_event()
    draft = campaigns.Draft("Invitation", "Voici : {lien_inscription}", Selection(pasted=ADDRESSES))
    campaigns.send(event.id, draft, "cle", None)
    deliver(app)
    messages = delivered(app, "campaign_invitation")
    sent_tokens = {INVITATION_LINK.search(text_of(m)).group(1).rsplit("/", 1)[1] for m in messages}
    sent_tokens |= {unsubscribe_path(m).rsplit("/", 1)[1] for m in messages}
    assert len(sent_tokens) == 6
    assert all(client.get(f"/invitation/{t}").status_code in (200, 404) for t in sent_tokens)

    stored = "\n".join(every_stored_string())
    assert not sent_tokens & set(TOKENISH.findall(stored))
    hashes = set(db.session.scalars(select(CampaignRecipient.token_hash)))
    assert not [
        t for t in TOKENISH.findall(stored) if hashlib.sha256(t.encode()).hexdigest() in hashes
    ]
    bodies = db.session.scalars(select(OutgoingMail.text_body)).all()
    assert all("[[lien:campaign:" in body and "[[lien:unsubscribe:" in body for body in bodies)


def test_groups_add_up_and_structure_criteria_narrow_down(app):
    series = Series(name="Matinales", slug="matinales")
    db.session.add(series)
    db.session.commit()
    partner = make_structure("Partenaire Foix", department="09", membership=Membership.PARTNER)
    member = make_structure("Adhérente Foix", department="09")
    partner_people = add_people(partner, 2, "p")
    member_people = add_people(member, 2, "m")
    follower, waiting = add_people(make_structure("Ailleurs", department="81"), 2, "f")
    db.session.add_all(
        [
            SeriesFollower(series_id=series.id, person_id=follower.id, confirmed_at=utcnow()),
            SeriesFollower(series_id=series.id, person_id=waiting.id),  # not confirmed yet
        ]
    )
    past = make_event("Matinale d'avant", starts_in=dt.timedelta(days=1))  # its attendance taken
    came = services.register(past.id, applicant(1, email="venu@example.org")).registration_id
    services.register(past.id, applicant(2, email="absent@example.org"))
    db.session.add(
        SessionAttendance(
            registration_id=came,
            session_id=db.session.get(Registration, came).event.sessions[0].id,
            status=AttendanceStatus.PRESENT,
            source=AttendanceSource.STAFF,
        )
    )
    db.session.commit()
    event = make_event("Matinale", series_id=series.id)

    def reached(**criteria) -> set[str]:
        found = audience(event.id, series.id, Selection(**criteria))
        return {candidate.email for candidate in found.included}

    assert reached(departments=("09",), memberships=(Membership.PARTNER,)) == {
        person.email for person in partner_people
    }
    assert reached(departments=("09",)) == {p.email for p in partner_people + member_people}
    assert reached(followers=True) == {follower.email}
    assert reached(present_at=(past.id,)) == {"venu@example.org"}
    assert reached(registered_to=(past.id,)) == {"venu@example.org", "absent@example.org"}
    assert reached(followers=True, pasted=("nouveau@example.org",)) == {
        follower.email,
        "nouveau@example.org",
    }
    anonymised = db.session.scalar(select(Person).where(Person.email == member_people[0].email))
    anonymised.anonymised_at = utcnow()
    db.session.commit()
    found = audience(event.id, series.id, Selection(departments=("09",)))
    assert [(c.email, reason.value) for c, reason in found.excluded] == [
        (member_people[0].email, "anonymised")
    ]


def test_announcing_to_the_followers_preselects_them(app, staff_client):
    series = Series(name="Matinales", slug="matinales")
    db.session.add(series)
    db.session.commit()
    event = make_event("Matinale", series_id=series.id)
    url = f"/gestion/evenements/{event.id}/campagnes/nouvelle"
    box = re.compile(r'<input[^>]*id="followers"[^>]*>')
    announcing = box.search(staff_client.get(url + "?abonnes=1").get_data(as_text=True))
    assert "checked" in announcing.group(0)
    plain = box.search(staff_client.get(url).get_data(as_text=True))
    assert "checked" not in plain.group(0)


def test_registering_again_through_the_link_resends_the_personal_link(app, client):
    event = make_event()
    draft = campaigns.Draft("Invitation", "Bonjour", Selection(pasted=ADDRESSES[:1]))
    campaigns.send(event.id, draft, "cle", None)
    deliver(app)
    [message] = delivered(app, "campaign_invitation")
    link = INVITATION_LINK.search(text_of(message)).group(1)
    form = {
        "email": ADDRESSES[0],
        "first_name": "Alex",
        "last_name": "Durand",
        "job_title": "Directrice",
        "structure": "autre",
        "other_structure_name": "Association du quartier",
    }
    assert client.post(link, data=form).status_code == 303
    again = client.post(link, data=form)
    assert again.status_code == 409
    assert "nous vous renvoyons votre lien" in again.get_data(as_text=True)
    resent = db.session.scalar(select(OutgoingMail).where(OutgoingMail.purpose == "link_resent"))
    assert resent is not None and resent.to_email == ADDRESSES[0]


def test_an_announcement_to_the_followers_lets_each_stop_following(app, client):
    series = Series(name="Matinales", slug="matinales")
    db.session.add(series)
    db.session.commit()
    follower, other = add_people(make_structure("Suiveuse"), 2, "s")
    db.session.add(
        SeriesFollower(series_id=series.id, person_id=follower.id, confirmed_at=utcnow())
    )
    db.session.commit()
    event = make_event("Matinale de mai", series_id=series.id)
    draft = campaigns.Draft(
        "Nouvelle date : {evenement}", "Bonjour {prenom},", Selection(followers=True)
    )
    campaigns.send(event.id, draft, "annonce-matinale", None)
    campaigns.send(
        event.id,
        campaigns.Draft("Invitation", "Bonjour", Selection(pasted=(other.email,))),
        "autre",
        None,
    )
    deliver(app)

    mails = {
        m["To"].addresses[0].addr_spec: text_of(m) for m in delivered(app, "campaign_invitation")
    }
    stop = re.search(
        r"Pour ne plus la suivre :\s+http://localhost(/suivi/\S+)", mails[follower.email]
    )
    assert stop, mails[follower.email]
    assert "ne plus la suivre" not in mails[other.email]
    assert client.get(stop.group(1)).status_code == 200  # a button, nothing changed yet
    assert db.session.scalar(select(SeriesFollower.id)) is not None
    client.post(stop.group(1))
    db.session.expire_all()
    assert db.session.scalar(select(SeriesFollower.id)) is None
