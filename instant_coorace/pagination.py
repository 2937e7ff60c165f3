"""Splitting the back office's long lists into pages (directory, registrants,
outbox): one rule for counting, clamping and slicing, one template macro."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from flask import request
from sqlalchemy import Select, func, select

from instant_coorace.extensions import db

T = TypeVar("T")
U = TypeVar("U")


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    #: Counted from 1, and always between 1 and ``pages``.
    number: int
    #: How many items all pages hold together.
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def mapped(self, convert: Callable[[Sequence[T]], Sequence[U]]) -> Page[U]:
        """The same page holding ``convert(items)`` (e.g. rows built from ORM objects)."""
        return Page(convert(self.items), self.number, self.total, self.per_page)


def requested_page() -> int:
    """The ``page`` of the query string; 1 when absent or not a number."""
    return request.args.get("page", 1, type=int)


def paginate(query: Select, number: int, per_page: int, total: int | None = None) -> Page:
    """Page ``number`` of ``query`` (which must be ordered), clamped to the pages
    that exist. Give ``total`` when it is known already, to spare a count."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(max(number, 1), max(math.ceil(total / per_page), 1))
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items, number, total, per_page)
