"""A copy of the database alone opens nothing: no column holds a working
personal link, while every mail that leaves still carries one."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import MetaData, select

from instant_coorace.attendance.join_links import JoinLink
from instant_coorace.calendar.feeds import issue_feed_token
from instant_coorace.extensions import db
from instant_coorace.invitations.models import SeriesFollower
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.mail.worker import deliver_due_mail, run_jobs
from instant_coorace.members.models import Person
from instant_coorace.registrations import services
from instant_coorace.registrations.messaging import Recipients, write_to_registrants
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.tokens import hash_token
from tests.builders import applicant, make_event, make_structure
from tests.calendar_parsers import read_everywhere

TOKENISH = re.compile(r"[A-Za-z0-9_-]{16,}")
PERSONAL_PATH = re.compile(r"/(?:inscription|invitation|agenda/personnel|suivi|j)/[^\s\"'<>\\]+")
SENT_LINK = re.compile(r"http://localhost(/(?:inscription|invitation|suivi)/[A-Za-z0-9_-]{40,})")


def every_stored_string() -> list[str]:
    """Every value of every column of every table, as text."""
    tables = MetaData()
    tables.reflect(bind=db.engine)
    values = []
    with db.engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                values += [
                    json.dumps(value) if isinstance(value, dict | list) else str(value)
                    for value in row
                    if value is not None
                ]
    return values


def accepted_hashes() -> set[str]:
    """What a token must hash to for the application to accept it."""
    registrations = db.session.scalars(select(Registration.token_hash)).all()
    feeds = db.session.scalars(select(Person.feed_token_hash)).all()
    followers = db.session.scalars(select(SeriesFollower.token_hash)).all()
    joins = db.session.scalars(select(JoinLink.token_hash)).all()
    return set(registrations) | set(joins) | {token for token in (*feeds, *followers) if token}


def delivered(app, purpose: str = "") -> list[EmailMessage]:
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted((Path(app.instance_path) / "mail").glob(f"*{purpose}.eml"))
    ]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def calendar_of(message: EmailMessage) -> bytes:
    [attachment] = message.iter_attachments()
    return attachment.get_content()


def assert_no_working_link_is_stored(client) -> None:
    stored = "\n".join(every_stored_string())
    accepted = accepted_hashes()
    candidates = set(TOKENISH.findall(stored))
    assert len(candidates) > 100  # the dump did find the hashes, nonces, addresses…
    assert not [token for token in candidates if hash_token(token) in accepted]
    for path in set(PERSONAL_PATH.findall(stored)):
        assert client.get(path).status_code == 404, path


def test_after_the_demo_and_its_delivery_no_column_holds_a_working_link(app, runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    person_id = db.session.scalars(select(Person.id)).first()
    feed_token = issue_feed_token(person_id)
    run_jobs()

    sent = db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.status == MailStatus.SENT)
    ).all()
    assert len(sent) > 50
    assert all(mail.status is MailStatus.SENT for mail in db.session.scalars(select(OutgoingMail)))
    assert client.get(f"/agenda/personnel/{feed_token}.ics").status_code == 200
    assert_no_working_link_is_stored(client)

    # Each mail that left did carry its working link, in its text, HTML and calendar.
    messages = delivered(app)
    assert len(messages) == len(sent)
    # (an invitation may repeat its link: in the team's text and on its button)
    links = [sorted(set(SENT_LINK.findall(text_of(message)))) for message in messages]
    assert all(links)
    for message, sent_links in zip(messages, links, strict=True):
        # An announcement to a follower also carries « ne plus suivre cette série ».
        link, *others = sorted(sent_links, key=lambda path: path.startswith("/suivi/"))
        assert all(path.startswith("/suivi/") for path in others), sent_links
        assert all(path in html_of(message) for path in sent_links)
        if message.is_multipart() and message.get_content_type() == "multipart/mixed":
            calendar = calendar_of(message)
            assert all(len(line) <= 75 for line in calendar.split(b"\r\n"))
            [entry] = read_everywhere(calendar).events
            assert f"http://localhost{link}" in entry.description
    for link in {link for sent_links in links for link in sent_links}:
        assert client.get(link).status_code == 200, link


def test_the_team_reads_a_mail_with_its_link_masked_and_a_resent_one_still_works(app, staff_client):
    event = make_event("Atelier « Gérer ses équipes » – Montpellier, session d'automne")
    receipt = services.register(event.id, applicant(1))
    run_jobs()
    [mail] = db.session.scalars(select(OutgoingMail)).all()

    page = staff_client.get("/gestion/courriels/").get_data(as_text=True)
    assert f"/gestion/courriels/{mail.id}" in page
    page = staff_client.get(f"/gestion/courriels/{mail.id}").get_data(as_text=True)
    assert "Bonjour" in page and "[lien personnel]" in page
    assert receipt.token not in page
    assert "/inscription/" not in page and "[[lien" not in page
    assert staff_client.get(f"/gestion/courriels/{mail.id + 1}").status_code == 404

    mail.status, mail.last_error = MailStatus.FAILED, "451 4.3.0 Try again later"
    db.session.commit()
    staff_client.post(f"/gestion/courriels/{mail.id}/renvoyer")
    assert deliver_due_mail() == 1
    first, again = delivered(app)
    assert text_of(again) == text_of(first)
    assert f"/inscription/{receipt.token}" in text_of(again)
    assert staff_client.get(f"/inscription/{receipt.token}").status_code == 200


def test_a_link_marker_typed_into_a_name_opens_nothing(app, client):
    """Someone who has read the outbox's markers cannot have one resolved
    by writing it where their own mail repeats what they typed."""
    event = make_event()
    victim = services.register(event.id, applicant(1))
    render_all_pending()
    [marker] = re.findall(
        r"\[\[lien:[^\]]+\]\]", db.session.scalars(select(OutgoingMail.text_body)).one()
    )
    services.register(event.id, applicant(2, first_name=marker))
    run_jobs()
    _, theirs = delivered(app, "registration_confirmed")
    assert victim.token not in theirs.as_string()
    assert "[[lien" not in text_of(theirs) + html_of(theirs)
    assert "Bonjour http://localhost/" in text_of(theirs)  # the marker, made harmless


def test_a_link_handed_over_before_its_mail_left_does_not_go_to_the_previous_holder(app, client):
    event = make_event()
    structure = make_structure()
    receipt = services.register(event.id, applicant(1, structure))
    run_jobs()
    write_to_registrants(event.id, Recipients.ALL, "Programme", "Le programme change.", "k1")
    render_all_pending()  # the team's message is ready; the mail server is down
    new_token = services.hand_over(receipt.registration_id, applicant(2, structure))
    run_jobs()
    [message] = delivered(app, "staff_message")
    assert message["To"].endswith("<personne1@adherent.example.org>")
    assert new_token not in message.as_string()
    assert receipt.token not in message.as_string()
    assert "http://localhost/" in text_of(message)
    [received] = delivered(app, "seat_received")
    assert f"/inscription/{new_token}" in text_of(received)
    assert client.get(f"/inscription/{new_token}").status_code == 200
