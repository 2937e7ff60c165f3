"""Attendance reports of Zoom, Teams and Google Meet imported into a session:
each format from a sample file, matching, merging, the threshold, organisers,
the people nobody registered, and the files we refuse."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from instant_coorace.attendance.imports import service
from instant_coorace.attendance.imports.reading import ImportRefused
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.events.models import EventFormat, EventSession
from instant_coorace.extensions import db
from instant_coorace.formatting import paris_datetime
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationSource
from tests.builders import applicant, make_event, make_staff

DATA = Path(__file__).parent / "data" / "attendance"
SAMPLES = sorted(path.name for path in DATA.glob("*.csv"))
REGISTRANTS = {
    "Élodie Dupont": "elodie.dupont@aci-garonne.fr",
    "Hélène Lefèvre": "helene.lefevre@ei-tarn.fr",
    "Jean-Marc Roux": "jean-marc.roux@ei-garonne.fr",
    "Sophie Bernard": "sophie.bernard@ges-herault.fr",
    "Karim Benali": "karim.benali@ei-tarn.fr",
    "Nathalie Garcia": "nathalie.garcia@etti-gers.fr",
}
#: What every sample says of the registrants who came, in minutes (±1: Excel drops seconds).
ATTENDED = {
    "Élodie Dupont": 90,
    "Hélène Lefèvre": 87,
    "Jean-Marc Roux": 75,
    "Sophie Bernard": 82,  # rejoined: 09:58–10:20, 10:15–10:50, 11:00–11:30
    "Karim Benali": 25,
}


@pytest.fixture
def march_webinar(app):
    """L'Instant Coorace of 12 March 2026, 10 h – 11 h 30, as the samples report it."""
    make_staff("claire.martin@coorace-occitanie.org", "mot de passe solide 2026")
    event = make_event(
        "L'Instant Coorace – mars 2026",
        event_format=EventFormat.ONLINE,
        visio_url="https://visio.example.org/mars",
        slug="instant-coorace-mars-2026",
    )
    day = dt.date(2026, 3, 12)
    event.sessions[0].starts_at = paris_datetime(day, 10)
    event.sessions[0].ends_at = paris_datetime(day, 11, 30)
    event.refresh_time_span()
    db.session.commit()
    ids = {}
    for name, email in REGISTRANTS.items():
        first, last = name.split(" ", 1)
        receipt = services.register(
            event.id,
            applicant(email=email, first_name=first, last_name=last),
            source=RegistrationSource.STAFF,
        )
        ids[name] = receipt.registration_id
    return event, ids


def records(ids: dict[str, int]) -> dict[str, SessionAttendance]:
    db.session.expire_all()
    names = {registration_id: name for name, registration_id in ids.items()}
    return {
        names[seen.registration_id]: seen
        for seen in db.session.scalars(select(SessionAttendance))
        if seen.registration_id in names
    }


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.mark.parametrize("name", SAMPLES)
def test_each_format_records_who_came_and_for_how_long(march_webinar, name):
    event, ids = march_webinar
    report = service.import_report(event.id, sample(name))

    seen = records(ids)
    for person, minutes in ATTENDED.items():
        assert abs(seen[person].minutes_attended - minutes) <= 1, (person, report.lines())
        assert seen[person].source is AttendanceSource.REPORT
        expected = AttendanceStatus.PRESENT if minutes >= 45 else AttendanceStatus.ABSENT
        assert seen[person].status is expected, person
    sophie = seen["Sophie Bernard"]
    assert sophie.first_seen_at == paris_datetime(dt.date(2026, 3, 12), 9, 58)
    assert sophie.last_seen_at == paris_datetime(dt.date(2026, 3, 12), 11, 30)
    assert report.session.id == event.sessions[0].id

    outcomes = {j.person.email.lower() or j.person.name: j.outcome.value for j in report.judged}
    assert outcomes["claire.martin@coorace-occitanie.org"] == "organiser"
    assert outcomes["marc.petit@ai-aude.fr"] == "unmatched"
    assert "Marc Petit" in "\n".join(report.lines())
    if name.startswith("zoom_webinar"):  # registered on Zoom, never came
        assert seen["Nathalie Garcia"].minutes_attended == 0
        assert seen["Nathalie Garcia"].status is AttendanceStatus.ABSENT
    else:
        assert "Nathalie Garcia" not in seen


def test_teams_reports_in_utf16_are_read_from_their_activities_in_both_languages(march_webinar):
    event, _ = march_webinar
    for name in ("teams_meeting_attendance_en.csv", "teams_meeting_attendance_fr.csv"):
        data = sample(name)
        assert data.startswith(b"\xff\xfe")  # UTF-16 with its BOM, as Teams writes it
        assert "\t" in data.decode("utf-16")
        report = service.preview(event.id, data)
        sophie = next(j.person for j in report.judged if j.person.name == "Sophie Bernard")
        assert len(sophie.lines) == 3 and len(sophie.intervals) == 2
        assert sophie.minutes == 82  # the three rows' own durations add up to 87
        guest = next(j for j in report.judged if j.person.name.startswith("Jean-Marc"))
        assert guest.registration.full_name == "Jean-Marc Roux"  # by name: no address


def test_importing_the_same_file_again_changes_nothing(march_webinar):
    event, ids = march_webinar
    service.import_report(event.id, sample("teams_meeting_attendance_fr.csv"))
    first = {name: _snapshot(seen) for name, seen in records(ids).items()}
    service.import_report(event.id, sample("teams_meeting_attendance_fr.csv"))
    assert {name: _snapshot(seen) for name, seen in records(ids).items()} == first
    assert db.session.scalar(select(func.count()).select_from(SessionAttendance)) == len(first)


def _snapshot(seen: SessionAttendance) -> tuple:
    return (seen.status, seen.minutes_attended, seen.first_seen_at, seen.last_seen_at)


def test_email_matching_ignores_case_and_accents(march_webinar):
    event, ids = march_webinar
    report = service.preview(event.id, sample("zoom_meeting_participants.csv"))
    helene = next(j for j in report.judged if j.person.email.startswith("Hélène"))
    assert helene.person.email == "Hélène.Lefèvre@EI-Tarn.fr"
    assert helene.registration.registration_id == ids["Hélène Lefèvre"]


def test_the_presence_threshold_is_a_configurable_share_of_the_session(app, march_webinar):
    event, ids = march_webinar
    app.config["ATTENDANCE_PRESENCE_PERCENT"] = 90  # 81 of the 90 minutes
    report = service.import_report(event.id, sample("zoom_meeting_participants.csv"))
    assert report.threshold_minutes == 81
    seen = records(ids)
    assert seen["Hélène Lefèvre"].status is AttendanceStatus.PRESENT  # 87 min
    assert seen["Jean-Marc Roux"].status is AttendanceStatus.ABSENT  # 75 min
    assert seen["Jean-Marc Roux"].minutes_attended == 75


def test_organisers_are_not_attendees_even_when_the_report_does_not_say_so(march_webinar):
    event, _ = march_webinar
    # Google Meet marks no organiser: the team's own address is enough.
    report = service.preview(event.id, sample("google_meet_attendance.csv"))
    claire = next(j for j in report.judged if j.person.first_name == "Claire")
    assert claire.outcome.value == "organiser" and claire.registration is None


def test_staff_see_a_preview_then_confirm_then_attach_or_add_a_walk_in(march_webinar, staff_client):
    event, ids = march_webinar
    detail = staff_client.get(f"/gestion/evenements/{event.id}").get_data(as_text=True)
    url = f"/gestion/evenements/{event.id}/presences/import"
    assert url in detail

    page = staff_client.post(
        url,
        data={"file": (DATA / "zoom_meeting_participants.csv").open("rb"), "session": "0"},
        content_type="multipart/form-data",
    )
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Aperçu de l'import" in html
    assert "non rapproché·e" in html and "sous le seuil de présence" in html
    assert not records(ids)  # a preview writes nothing
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)

    html = unescape(staff_client.post(f"{url}/confirmer", data={"token": token}).get_data(True))
    assert "Rapport importé" in html and "Ajouter comme participant·e sur place" in html
    assert len(records(ids)) == 5
    [key] = set(re.findall(r'name="key" value="([^"]+)"', html))  # Marc Petit, the only one
    assert key == "e:marc.petit@ai-aude.fr"

    html = unescape(
        staff_client.post(f"{url}/sur-place", data={"token": token, "key": key}).get_data(True)
    )
    walk_in = db.session.scalars(
        select(Registration).where(Registration.source == RegistrationSource.ON_SITE)
    ).one()
    assert (walk_in.first_name, walk_in.last_name, walk_in.person.email) == (
        "Marc",
        "Petit",
        "marc.petit@ai-aude.fr",
    )
    seen = db.session.scalars(
        select(SessionAttendance).where(SessionAttendance.registration_id == walk_in.id)
    ).one()
    assert seen.is_present and seen.minutes_attended == 79
    assert "non rapproché·e" not in html.split("Résultat ligne par ligne")[1]


def test_staff_attach_an_unmatched_person_to_a_registrant(march_webinar, staff_client):
    event, ids = march_webinar
    staged, _preview = service.stage(
        Path(staff_client.application.instance_path) / "attendance-imports",
        event.id,
        sample("zoom_meeting_participants.csv"),
        None,
        "zoom.csv",
    )
    url = f"/gestion/evenements/{event.id}/presences/import"
    staff_client.post(f"{url}/confirmer", data={"token": staged.token})
    page = staff_client.post(
        f"{url}/rattacher",
        data={
            "token": staged.token,
            "key": "e:marc.petit@ai-aude.fr",
            "registration": ids["Nathalie Garcia"],
        },
    )
    assert page.status_code == 200
    nathalie = records(ids)["Nathalie Garcia"]
    assert nathalie.is_present and nathalie.minutes_attended == 79


def test_the_command_prints_the_same_report_and_dry_run_writes_nothing(march_webinar, runner):
    event, ids = march_webinar
    path = str(DATA / "teams_meeting_attendance_en.csv")
    dry = runner.invoke(args=["attendance", "import", event.slug, path, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Simulation : rien n'a été enregistré." in dry.output
    assert "Marc Petit <marc.petit@ai-aude.fr>, 79 min — non rapproché·e" in dry.output
    assert not records(ids)
    done = runner.invoke(args=["attendance", "import", event.slug, path, "--session", "1"])
    assert done.exit_code == 0 and "Import effectué." in done.output
    assert len(records(ids)) == 5
    wrong = runner.invoke(args=["attendance", "import", event.slug, path, "--session", "2"])
    assert wrong.exit_code == 1 and "1 session(s)" in wrong.output


def _teams_cut(length: int) -> bytes:
    return sample("teams_meeting_attendance_en.csv")[:length]


def _teams_cut_after(text: str) -> bytes:
    data = sample("teams_meeting_attendance_en.csv")
    return data[: data.index(text.encode("utf-16-le")) + 2 * len(text)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\r\n  \r\n", "Le fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "une image PNG"),
        (b"Name,Email\r\nJos\x81 \x8d\x8f,x@y.fr\r\n", "L'encodage du fichier n'est pas reconnu"),
        ("Nom;Prénom;Âge\r\nDupont;Élodie;41\r\n".encode(), "Formats acceptés"),
        (_teams_cut(1001), "tronqué"),  # an odd cut: half a UTF-16 character
        (_teams_cut_after("Role\r\n"), "aucun participant"),  # cut before the first one
    ],
)
def test_files_we_cannot_import_are_refused_in_french(march_webinar, data, message):
    event, ids = march_webinar
    with pytest.raises(ImportRefused) as refused:
        service.import_report(event.id, data)
    assert message in refused.value.message
    assert not records(ids)


def test_an_unknown_format_is_refused_naming_the_formats_accepted(march_webinar, staff_client):
    event, _ = march_webinar
    page = staff_client.post(
        f"/gestion/evenements/{event.id}/presences/import",
        data={"file": (_bytes_io(b"a,b,c\r\n1,2,3\r\n"), "rapport.csv"), "session": "0"},
        content_type="multipart/form-data",
    )
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and 'aria-invalid="true"' in html
    for accepted in ("Zoom", "webinaire Zoom", "Microsoft Teams", "Google Meet"):
        assert accepted in html.split("Formats acceptés : ")[1]


def test_a_truncated_last_line_is_reported_and_the_rest_imported(march_webinar):
    event, ids = march_webinar
    text = sample("zoom_meeting_participants.csv").decode("utf-8-sig").rstrip("\r\n")
    cut = text[: text.rindex(",03/12/2026")]  # Marc Petit's line ends after his address
    report = service.import_report(event.id, cut.encode())
    [broken] = report.unreadable
    assert "incomplète" in broken.problem and broken.line == text.count("\n") + 1
    assert len(records(ids)) == 5


def test_a_file_over_the_limit_is_refused_next_to_the_field(app, march_webinar, staff_client):
    event, _ = march_webinar
    app.config["ATTENDANCE_MAX_UPLOAD_MB"] = 1
    big = sample("zoom_meeting_participants.csv") + b"\r\n" * (1024 * 1024)
    page = staff_client.post(
        f"/gestion/evenements/{event.id}/presences/import",
        data={"file": (_bytes_io(big), "gros.csv"), "session": "0"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 413
    assert "dépasse la taille autorisée (1 Mo)" in unescape(page.get_data(as_text=True))


def test_the_format_is_told_by_the_content_not_the_file_name(march_webinar, staff_client):
    event, _ = march_webinar
    page = staff_client.post(
        f"/gestion/evenements/{event.id}/presences/import",
        data={"file": (_bytes_io(sample("google_meet_attendance.csv")), "zoom.xlsx")},
        content_type="multipart/form-data",
    )
    assert "Rapport de présence google meet" in unescape(page.get_data(as_text=True))


def test_a_report_goes_to_the_session_its_times_overlap(app):
    event = make_event(sessions=2, event_format=EventFormat.ONLINE, visio_url="https://v.example")
    day = dt.date(2026, 3, 12)
    first, second = event.sessions
    first.starts_at, first.ends_at = paris_datetime(day, 8), paris_datetime(day, 9, 30)
    second.starts_at, second.ends_at = paris_datetime(day, 10), paris_datetime(day, 11, 30)
    event.refresh_time_span()
    db.session.commit()
    report = service.preview(event.id, sample("zoom_meeting_participants.csv"))
    assert report.session_number == 2
    assert db.session.get(EventSession, report.session.id).starts_at.hour == 9  # UTC


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_a_report_no_longer_kept_is_said_so_in_french(march_webinar, staff_client):
    event, ids = march_webinar
    url = f"/gestion/evenements/{event.id}/presences/import"
    for action, extra in (("confirmer", {}), ("rattacher", {"registration": "1"}),
                          ("sur-place", {})):  # fmt: skip
        page = staff_client.post(f"{url}/{action}", data={"token": "a" * 32, "key": "k"} | extra)
        assert page.status_code == 422, action
        assert "n'est plus disponible" in unescape(page.get_data(as_text=True))
    assert not records(ids)
