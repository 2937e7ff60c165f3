"""The period chosen on the figures page, read from the query string."""

from __future__ import annotations

from wtforms import DateField

from instant_coorace.forms import PlainForm
from instant_coorace.reports.period import Period


class PeriodForm(PlainForm):
    du = DateField("Du")
    au = DateField("Au")

    def to_period(self, default: Period) -> Period | None:
        """The chosen period, ``default`` when none is given, ``None`` (with a
        message next to the field) when it cannot be counted."""
        given = {field: any(field.raw_data or ()) for field in (self.du, self.au)}
        if not any(given.values()):
            self.du.data, self.au.data = default.first, default.last
            return default
        valid = self.validate()
        for field, end in ((self.du, "début"), (self.au, "fin")):
            if not given[field]:
                field.errors = [f"Indiquez la date de {end} de la période."]
        if not valid or not all(given.values()):
            return None
        if self.au.data < self.du.data:
            self.au.errors.append(
                "La date de fin doit être le même jour que la date de début ou après."
            )
            return None
        return Period(self.du.data, self.au.data)
