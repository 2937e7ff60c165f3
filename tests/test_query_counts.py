"""No N+1: the busiest pages issue as many SQL statements with 5 events as with
500 events and 20,000 registrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sqlalchemy_event

from instant_coorace.events.models import Event, Series
from instant_coorace.extensions import db
from tests.builders import make_events_in_bulk, make_structure, register_in_bulk

SMALL_EVENTS, SMALL_REGISTRATIONS = 5, 20
LARGE_EVENTS, LARGE_REGISTRATIONS = 500, 20_000


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", record)


def statements_for(client, url: str) -> list[str]:
    """The statements one GET of ``url`` issues, starting from an empty session
    (nothing the test loaded may spare the page a query)."""
    db.session.remove()
    with recorded_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def page_urls(event) -> list[str]:
    return ["/", f"/evenements/{event.slug}", f"/gestion/evenements/{event.id}/inscrits"]


def statement_counts(client, urls: list[str]) -> dict[str, int]:
    for url in urls:  # warm up: anything done once per process is not a page's cost
        statements_for(client, url)
    return {url: len(statements_for(client, url)) for url in urls}


@pytest.mark.timeout(120)
def test_pages_issue_the_same_queries_for_5_or_500_events(app, staff_client):
    structure_ids = [make_structure(f"Structure {n}").id for n in range(50)]
    series = [Series(name=f"Série {n}", slug=f"serie-{n}") for n in range(20)]
    db.session.add_all(series)
    db.session.commit()
    series_ids = [s.id for s in series]
    small = [e.id for e in make_events_in_bulk(SMALL_EVENTS, series_ids=series_ids)]
    register_in_bulk(small, SMALL_REGISTRATIONS, structure_ids)
    urls = page_urls(db.session.get(Event, small[0]))
    small_counts = statement_counts(staff_client, urls)

    larger = [e.id for e in make_events_in_bulk(LARGE_EVENTS - SMALL_EVENTS, series_ids=series_ids)]
    register_in_bulk(small + larger, LARGE_REGISTRATIONS - SMALL_REGISTRATIONS, structure_ids)
    large_counts = statement_counts(staff_client, urls)

    assert large_counts == small_counts
