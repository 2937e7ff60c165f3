"""Generated hostile input against every page of the site, on SQLite and on
PostgreSQL: no answer is a server error, no control character is ever stored
(nor a line break in a one-line column), and input the rule refuses writes
nothing at all.

The pages come from the application's own URL map: a new route is tried as
soon as it exists, and a new form must say here what its fields hold. Each
test builds its application and database once and reuses them for every
example; the data it creates for one example (a fresh event to edit, a fresh
registration to cancel) stays, as it would on a real site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pytest
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select

from instant_coorace.events.models import Series
from instant_coorace.extensions import db
from instant_coorace.members.models import Structure
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffRole, StaffUser
from tests.builders import applicant, make_event, make_staff, make_structure, queue_mail
from tests.campaign_helpers import make_campaign
from tests.live_server import form_values
from tests.support_builders import make_support, make_theme
from tests.test_event_management import training_form

PASSWORD = "mot-de-passe-solide"
TODAY = dt.date(2026, 3, 3)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Hostile values. Each comes with whether the rule must refuse it (then
# nothing may be written); others are merely odd, and only must not break.


@dataclasses.dataclass(frozen=True)
class Hostile:
    value: str | bytes
    refused: bool = False


def _refused(values: list[str]) -> st.SearchStrategy[Hostile]:
    return st.sampled_from([Hostile(value, True) for value in values])


def _odd(values: list[str]) -> st.SearchStrategy[Hostile]:
    return st.sampled_from([Hostile(value) for value in values])


CONTROL = st.sampled_from(["\x00", "\x01", "\x07", "\x08", "\x0e", "\x1b", "\x1f", "\x7f", "\x9f"])
LINE_BREAK = st.sampled_from(["\r\n", "\n", "\r", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
WORDS = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
NOT_LINE_BREAKS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85"


def with_one(character: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(WORDS, character, WORDS).map("".join)


def refused_by_the_rule(text: str) -> bool:
    """The rule, written independently of the code under test: a control
    character that is neither a line break nor a tab."""
    return any(unicodedata.category(char) == "Cc" and char not in NOT_LINE_BREAKS for char in text)


TEXT = st.one_of(
    with_one(CONTROL).map(lambda text: Hostile(text, True)),
    with_one(LINE_BREAK).map(Hostile),
    st.text(st.characters(), max_size=30).map(
        lambda text: Hostile(text, refused_by_the_rule(text))
    ),
    # Surrogates cannot be encoded alone: what arrives is U+FFFD.
    with_one(st.sampled_from(["\ud800", "\udfff"])).map(Hostile),
    st.integers(200, 30_000).map(lambda length: Hostile("é" * length)),
    _odd(["", " ", "\u202eevil", "🎉" * 50, "\ufeff", "\uffff", "' OR 1=1 --", "%00", "../.."]),
)
VALUES = {
    "text": TEXT,
    "lines": TEXT,
    "choice": TEXT,
    "password": TEXT.map(lambda hostile: Hostile(hostile.value)),
    "raw": TEXT.map(lambda hostile: Hostile(hostile.value)),
    "int": st.one_of(
        _refused(["2147483648", "-2147483649", "99999999999999999999", "9" * 5000, "1e9"]),
        _refused(["abc", "1.5", "0x10", "12\x00"]),
        _odd(["0", "-1", "2147483647", "٣", "1_000", " 7 ", ""]),
    ),
    "date": st.one_of(
        _refused(["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2031-02-30"]),
        _refused(["2031-13-01", "31/12/2031", "2031-01-01\x00"]),
        _odd(["2000-01-01", "2100-12-31", ""]),
    ),
    "datetime": st.one_of(
        _refused(["0001-01-01T00:00", "9999-12-31T23:59", "2031-02-30T10:00"]),
        _refused(["2031-01-01T25:00", "2031-01-01"]),
        _odd(["2000-01-01T00:00", ""]),
    ),
    "time": st.one_of(_refused(["24:00", "9h", "25:61", "-1:00", "10:00\x00"]), _odd(["", "0:0"])),
    "hidden_id": st.one_of(
        _refused(["abc", "-1", "0", "99999999999", "1.5", "٣", "1e3", "2147483648"]),
        _odd(["", " "]),
    ),
    "action": _refused(
        [
            "retirer-sessions-²",
            "retirer-\x00-1",
            "supprimer",
            "retirer-sessions-99999999999999999999",
            "retirer-programme--1",
            "ajouter-session\x00",
        ]
    ),
    # Previewing an import writes nothing to the database, whatever the file.
    "file": st.one_of(
        st.binary(max_size=300),
        st.sampled_from([b"nom;ville\nR\x00gie;Foix\n", b"\xff\xfe\x00", b"nom\n" + b"x" * 5000]),
    ).map(lambda content: Hostile(content, True)),
}
PATH_TEXT = TEXT.map(lambda hostile: Hostile(hostile.value, True))
"""No slug or token made up by the generator names a real row: refused."""
PATH_INT = st.one_of(
    _refused(["0", "2147483648", "99999999999999999999", "-1", "1e3", "٣", "abc", "1.0"]),
)
QUERY_NAMES = ["q", "page", "statut", "filtre", "next", "kind", "format", "department"]
QUERY_NAMES += ["departement", "type", "adhesion"]


# What the database holds


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, read afresh."""
    db.session.rollback()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def stored_control_characters(rows: dict[str, list[tuple]]) -> list[tuple[str, str, str]]:
    """Text a person typed, stored with a control character (or a line break in a
    one-line column). Mail bodies and calendars are written by the application,
    with the CRLF their formats want."""
    found = []
    for table in db.metadata.sorted_tables:
        for index, column in enumerate(table.columns):
            if not isinstance(column.type, String):
                continue
            several_lines = isinstance(column.type, Text)
            if several_lines and table.name == "outgoing_mail":
                continue
            allowed = "\n\t" if several_lines else ""
            for row in rows[table.name]:
                value = row[index]
                if isinstance(value, str) and any(
                    unicodedata.category(char) in ("Cc", "Cs") and char not in allowed
                    for char in value
                ):
                    found.append((table.name, column.name, value))
    return found


# The site's data, and the pages' arguments


class World:
    """Rows to point the pages at; ``fresh`` ones are made for one example."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)
        self.admin_id = db.session.scalars(select(StaffUser.id)).one()
        db.session.get(StaffUser, self.admin_id).role = StaffRole.ADMIN
        db.session.commit()
        self.colleague_id = make_staff("collegue@coorace-occitanie.example.org", PASSWORD).id
        # A series named like the event: the series' pages take the same slug.
        self.series = Series(name="Série du monde", slug="evenement-du-monde")
        db.session.add(self.series)
        db.session.commit()
        self.event = make_event(sessions=2, slug=self.series.slug, series_id=self.series.id)
        self.registration_id, self.token = self.registration(self.event.id)
        self.structure_id = make_structure().id
        self.mail_id = queue_mail("world").id
        self.campaign_id = make_campaign(current_app, self.event.id, "monde@example.org")[0]
        self.event_of_example = self.event

    def start_example(self) -> None:
        self.event_of_example = self.event

    def number(self) -> int:
        return next(self.numbers)

    def support_id(self) -> int:
        theme = make_theme(f"Thématique {self.number()}")
        return make_support(db.session.get(Structure, self.structure_id), theme, TODAY).id

    def registration(self, event_id: int) -> tuple[int, str]:
        receipt = registrations.register(event_id, applicant(f"monde-{self.number()}"))
        return receipt.registration_id, receipt.token

    def argument(self, name: str, *, fresh: bool) -> str:
        """A valid value for the route argument ``name``."""
        if not fresh:
            fixed = {
                "event_id": self.event.id,
                "slug": self.event.slug,
                "registration_id": self.registration_id,
                "token": self.token,
                "structure_id": self.structure_id,
                "mail_id": self.mail_id,
                "series_id": self.series.id,
                "session_id": self.event.sessions[0].id,
                "campaign_id": self.campaign_id,
                "person_id": db.session.get(Registration, self.registration_id).person_id,
            }
            if name in fixed:
                return str(fixed[name])
        return str(self._fresh(name))

    def _fresh(self, name: str) -> object:
        if name in ("event_id", "slug"):
            event = make_event(sessions=2)
            self.event_of_example = event
            return event.id if name == "event_id" else event.slug
        if name in ("registration_id", "token"):
            registration_id, token = self.registration(self.event_of_example.id)
            return registration_id if name == "registration_id" else token
        if name == "person_id":
            registration_id, _ = self.registration(self.event.id)
            return db.session.get(Registration, registration_id).person_id
        return {
            "structure_id": lambda: make_structure().id,
            "mail_id": lambda: queue_mail(f"exemple-{self.number()}").id,
            "session_id": lambda: self.event_of_example.sessions[0].id,
            "account_id": lambda: self.colleague_id,
            "series_id": lambda: self.series.id,
            "support_id": lambda: self.support_id(),
            "theme_id": lambda: make_theme(f"Thématique {self.number()}").id,
            "campaign_id": lambda: self.campaign_id,
            "kind": lambda: "formation",
            "filename": lambda: "site.css",
            "name": lambda: "taux-de-presence",
        }[name]()


def url(rule, values: dict[str, str | bytes]) -> str:
    """The rule's path with ``values`` percent-encoded (a lone surrogate as the
    bytes a careless client would send)."""

    def encoded(match: re.Match) -> str:
        return quote(values[match.group(1)], safe="", errors="surrogatepass")

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", encoded, rule.rule)


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs, errors="surrogatepass") if pairs else ""


def log_in(client, user_id: int) -> None:
    """The team member's session, renewed: an example may have logged out or
    changed the password."""
    db.session.rollback()
    user = db.session.get(StaffUser, user_id)
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


# Forms: what each field holds, and data the form accepts


@dataclasses.dataclass(frozen=True)
class FormSpec:
    #: Field name → (kind of value, what a person would type).
    fields: Callable[[World], dict[str, tuple[str, str]]]
    #: Posted by a visitor rather than a logged-in team member.
    anonymous: bool = False
    #: The page's arguments are made afresh for each example (the form changes them).
    fresh: bool = True


def no_fields(world: World) -> dict:
    return {}


def applicant_fields(world: World) -> dict[str, tuple[str, str]]:
    values = form_values(world.number())
    kinds = {"structure": "choice", "needs": "lines"}
    return {name: (kinds.get(name, "text"), value) for name, value in values.items()}


def details_fields(world: World) -> dict[str, tuple[str, str]]:
    """« Modifier mes informations » has neither the address nor the needs."""
    fields = applicant_fields(world)
    return {name: value for name, value in fields.items() if name not in ("email", "needs")}


def event_fields(world: World) -> dict[str, tuple[str, str]]:
    kinds = {
        "kind": "choice",
        "series_id": "choice",
        "audience": "choice",
        "format": "choice",
        "department": "choice",
        "description": "lines",
        "capacity": "int",
        "seats_per_structure": "int",
        "registration_opens": "datetime",
        "registration_closes": "datetime",
        "action": "action",
    }
    suffixes = {"-day": "date", "-starts": "time", "-ends": "time", "-details": "lines"}
    values = training_form(slug=f"formation-{world.number()}", **{"sessions-0-session_id": ""})

    def kind(name: str) -> str:
        if name.endswith("-session_id"):
            return "hidden_id"
        suffix = next((s for s in suffixes if name.endswith(s)), None)
        return kinds.get(name) or (suffixes[suffix] if suffix else "text")

    return {name: (kind(name), value) for name, value in values.items()}


def staff_registration_fields(world: World) -> dict[str, tuple[str, str]]:
    number = world.number()
    return {
        "email": ("text", f"ajout{number}@adherent.example.org"),
        "first_name": ("text", "Alex"),
        "last_name": ("text", f"Durand {number}"),
        "structure_id": ("choice", ""),
        "other_structure_name": ("text", "Association du quartier"),
        "job_title": ("text", "Directrice"),
        "needs": ("lines", ""),
    }


def message_fields(world: World) -> dict[str, tuple[str, str]]:
    return {
        "recipients": ("choice", "all"),
        "subject": ("text", "Informations pratiques"),
        "body": ("lines", "Bonjour,\r\nÀ bientôt."),
        "send_key": ("text", f"cle{world.number()}"),
    }


def reminder_plan_fields(world: World) -> dict[str, tuple[str, str]]:
    return {
        "week_before": ("choice", "y"),
        "day_before": ("choice", "y"),
        "access_info": ("lines", "Tram B, arrêt Compans."),
        "follow_up_enabled": ("choice", "y"),
        "follow_up_message": ("lines", "Merci de votre venue !"),
        "replay_url": ("text", "https://replay.example.org/avril"),
        "survey_url": ("text", "https://sondage.example.org/avril"),
        "follow_up_delay_hours": ("int", "24"),
    }


def structure_fields(world: World) -> dict[str, tuple[str, str]]:
    return {
        "name": ("text", f"Structure {world.number()}"),
        "membership": ("choice", "member"),
        "kinds": ("choice", "ACI"),
        "department": ("choice", "31"),
        "address": ("text", "3 rue des Lilas"),
        "postcode": ("text", "31000"),
        "city": ("text", "Toulouse"),
        "phone": ("text", "05 61 00 00 00"),
        "email": ("text", "contact@structure.example.org"),
        "notes": ("lines", "Adhérente depuis 2019."),
    }


def support_fields(world: World) -> dict[str, tuple[str, str]]:
    return {
        "structure_id": ("choice", str(world.structure_id)),
        "given_on": ("date", TODAY.isoformat()),
        "duration": ("text", "1,5"),
        "unit": ("choice", "half_days"),
        "theme_id": ("choice", str(make_theme(f"Thématique {world.number()}").id)),
        "staff_user_id": ("choice", str(world.admin_id)),
        "note": ("lines", "Appui au dossier FSE+."),
        "confirm_over_allowance": ("raw", "y"),
    }


def theme_fields(world: World) -> dict[str, tuple[str, str]]:
    return {"name": ("text", f"Thématique {world.number()}")}


def campaign_fields(world: World) -> dict[str, tuple[str, str]]:
    return {
        "kinds": ("choice", "ACI"),
        "departments": ("choice", "31"),
        "memberships": ("choice", "member"),
        "pasted": ("lines", f"invite{world.number()}@adherent.example.org"),
        "subject": ("text", "Invitation : {evenement}"),
        "body": ("lines", "Bonjour {prenom},\r\n{lien_inscription}"),
        "preview_for": ("choice", ""),
        "send_key": ("text", f"cle{world.number()}"),
        "envoyer": ("raw", "1"),
    }


FORMS: dict[str, FormSpec] = {
    "registrations.register": FormSpec(applicant_fields, anonymous=True),
    "registrations.hand_over": FormSpec(applicant_fields, anonymous=True),
    "registrations.cancel": FormSpec(no_fields, anonymous=True),
    "registrations.details": FormSpec(details_fields, anonymous=True),
    "calendar.personal_feed_address": FormSpec(no_fields, anonymous=True),
    "staff.login": FormSpec(
        lambda world: {
            "email": ("text", "equipe@coorace-occitanie.example.org"),
            "password": ("password", PASSWORD),
        },
        anonymous=True,
    ),
    "staff.logout": FormSpec(no_fields),
    "staff.choose_password": FormSpec(
        lambda world: {
            "current_password": ("password", PASSWORD),
            "new_password": ("password", "un-autre-mot-de-passe"),
            "confirmation": ("password", "un-autre-mot-de-passe"),
        }
    ),
    "event_management.new_event": FormSpec(event_fields),
    "event_management.edit_event": FormSpec(event_fields),
    "event_management.publish_event": FormSpec(no_fields),
    "event_management.unpublish_event": FormSpec(no_fields),
    "event_management.cancel_event": FormSpec(lambda world: {"confirmation": ("raw", "oui")}),
    "registration_management.add_registration": FormSpec(staff_registration_fields),
    "registration_management.promote": FormSpec(no_fields),
    "registration_management.cancel": FormSpec(no_fields),
    "registrant_messages.write": FormSpec(message_fields),
    "reminders.manage_reminders": FormSpec(reminder_plan_fields),
    "member_management.new_structure": FormSpec(structure_fields),
    "member_management.edit_structure": FormSpec(structure_fields),
    "member_management.deactivate_structure": FormSpec(no_fields),
    "member_management.reactivate_structure": FormSpec(no_fields),
    "member_management.import_structures": FormSpec(
        lambda world: {"file": ("file", "nom;ville\nRégie;Foix\n")}
    ),
    "member_management.confirm_import": FormSpec(lambda world: {"token": ("text", "a" * 32)}),
    "attendance_import.upload": FormSpec(
        lambda world: {"file": ("file", "a,b\n1,2\n"), "session": ("choice", "0")}
    ),
    "attendance_import.confirm": FormSpec(lambda world: {"token": ("text", "a" * 32)}),
    "attendance_import.attach": FormSpec(
        lambda world: {
            "token": ("text", "a" * 32),
            "key": ("text", "e:x@y.fr"),
            "registration": ("choice", "1"),
        }
    ),
    "attendance_import.walk_in": FormSpec(
        lambda world: {"token": ("text", "a" * 32), "key": ("text", "e:x@y.fr")}
    ),
    "mail_management.retry_mail": FormSpec(lambda world: {"statut": ("raw", "")}),
    "mail_management.cancel_mail": FormSpec(lambda world: {"statut": ("raw", "")}),
    "staff_accounts.list_accounts": FormSpec(
        lambda world: {
            "email": ("text", f"nouvelle{world.number()}@coorace-occitanie.example.org"),
            "role": ("choice", "team"),
        }
    ),
    "staff_accounts.set_active": FormSpec(lambda world: {"active": ("raw", "1")}),
    "staff_accounts.reset_password": FormSpec(no_fields),
    "staff_accounts.set_role": FormSpec(lambda world: {"role": ("choice", "team")}),
    "privacy_management.erase": FormSpec(no_fields),
    "series.follow": FormSpec(
        lambda world: {
            "email": ("text", f"suivi{world.number()}@adherent.example.org"),
            "first_name": ("text", "Alex"),
            "last_name": ("text", "Durand"),
        },
        anonymous=True,
        fresh=False,
    ),
    "series.confirm": FormSpec(no_fields, anonymous=True),
    "series.stop_following": FormSpec(no_fields, anonymous=True),
    "series.follow_as_registrant": FormSpec(no_fields, anonymous=True, fresh=False),
    "support_management.new_support": FormSpec(support_fields),
    "support_management.edit_support": FormSpec(support_fields),
    "support_management.delete_support": FormSpec(no_fields),
    "support_management.list_themes": FormSpec(theme_fields),
    "support_management.rename_theme": FormSpec(theme_fields),
    "support_management.deactivate_theme": FormSpec(no_fields),
    "support_management.reactivate_theme": FormSpec(no_fields),
    "check_in.mark_present": FormSpec(lambda world: {"q": ("text", "Martin")}),
    "check_in.undo": FormSpec(lambda world: {"q": ("text", "")}),
    "check_in.walk_in": FormSpec(staff_registration_fields),
    "check_in.scanned": FormSpec(lambda world: {"session": ("int", "")}),
    "attendance_overview.mark": FormSpec(
        lambda world: {"status": ("choice", "excused"), "reason": ("text", "Arrêt maladie")}
    ),
    "sign_in.sign_on_tablet": FormSpec(lambda world: {"signature": ("text", "")}),
    "sign_in.sign_own": FormSpec(lambda world: {"signature": ("text", "")}, anonymous=True),
    "sign_in.absence": FormSpec(
        lambda world: {"status": ("choice", "excused"), "reason": ("text", "Malade")}
    ),
    "certificates.send": FormSpec(lambda world: {"registration_id": ("hidden_id", "")}),
    "campaigns.new_campaign": FormSpec(campaign_fields),
    "campaigns.remind": FormSpec(no_fields),
    "invitations.invited": FormSpec(applicant_fields, anonymous=True),
    "invitations.unsubscribe_page": FormSpec(no_fields, anonymous=True),
}


def rules(app, method: str) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in rule.methods),
        key=lambda rule: rule.endpoint,
    )


def test_every_form_of_the_site_is_described_here(app):
    """A new form must say what its fields hold, or the tests below miss it."""
    assert {rule.endpoint for rule in rules(app, "POST")} == set(FORMS)


# The properties


@pytest.fixture
def world(app, staff_client) -> World:
    return World()


def check(response, before, *, refused: bool, what: str) -> None:
    after = snapshot()
    assert response.status_code < 500, what
    assert stored_control_characters(after) == [], what
    if refused:
        changed = [name for name in before if before[name] != after[name]]
        assert changed == [], f"{what}: refused input wrote to {changed}"


@SETTINGS
@given(data=st.data())
def test_no_address_gives_a_server_error_or_writes_anything(app, staff_client, world, data):
    """Every GET route, with its arguments and query strings, valid or hostile,
    for a visitor or a team member."""
    rule = data.draw(st.sampled_from(rules(app, "GET")), label="route")
    values = {}
    for name in sorted(rule.arguments):
        hostile = PATH_INT if f"<int:{name}>" in rule.rule else PATH_TEXT
        if data.draw(st.booleans(), label=f"{name} hostile"):
            values[name] = data.draw(hostile, label=name).value
        else:
            values[name] = world.argument(name, fresh=False)
    names = st.one_of(st.sampled_from(QUERY_NAMES), WORDS)
    query = data.draw(
        st.lists(st.tuples(names, st.one_of(TEXT, VALUES["int"])), max_size=3), label="query"
    )
    pairs = [(name, hostile.value) for name, hostile in query]
    client = staff_client if data.draw(st.booleans(), label="team member") else None
    if client is None:
        client = app.test_client()
    else:
        log_in(client, world.admin_id)
    before = snapshot()

    address = url(rule, values) + query_string(pairs)
    response = client.get(address)

    check(response, before, refused=True, what=f"GET {address!r}")


@SETTINGS
@given(data=st.data())
def test_no_form_gives_a_server_error_and_refused_input_writes_nothing(
    app, staff_client, world, data
):
    """Every form, filled as a person would, with one or two fields (or an
    argument of its address) replaced by a hostile value."""
    rule = data.draw(st.sampled_from(rules(app, "POST")), label="form")
    spec = FORMS[rule.endpoint]
    world.start_example()
    refused = False
    values = {}
    for name in sorted(rule.arguments):
        if data.draw(st.integers(0, 4), label=f"{name} hostile") == 0:
            strategy = PATH_INT if f"<int:{name}>" in rule.rule else PATH_TEXT
            hostile = data.draw(strategy, label=name)
            values[name], refused = hostile.value, refused or hostile.refused
        else:
            values[name] = world.argument(name, fresh=spec.fresh)
    fields = spec.fields(world)
    form = {name: value for name, (_, value) in fields.items()}
    names = sorted(fields) or ["champ-inconnu"]
    for name in data.draw(
        st.lists(st.sampled_from(names), max_size=2, unique=True), label="fields"
    ):
        hostile = data.draw(VALUES[fields.get(name, ("raw",))[0]], label=name)
        form[name], refused = hostile.value, refused or hostile.refused
    pairs = []
    if data.draw(st.integers(0, 6), label="hostile query") == 0:
        hostile = data.draw(with_one(CONTROL), label="query")
        pairs, refused = [("statut", hostile)], True
    client = app.test_client() if spec.anonymous else staff_client
    if not spec.anonymous:
        log_in(client, world.admin_id)
    before = snapshot()

    address = url(rule, values) + query_string(pairs)
    if "file" in form:
        content = form["file"]
        content = content.encode() if isinstance(content, str) else content
        body = {"file": (io.BytesIO(content), "annuaire.csv")}
        response = client.post(address, data=body, content_type="multipart/form-data")
    else:
        body = urlencode(list(form.items()), errors="surrogatepass")
        response = client.post(address, data=body, content_type="application/x-www-form-urlencoded")

    check(response, before, refused=refused, what=f"POST {address!r} {form!r}")
