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
        if not any(self.du.raw_data or ()) and not any(self.au.raw_data or ()):
            self.du.data, self.au.data = default.first, default.last
            return default
        if not self.validate():
            return None
        if self.du.data is None:
            self.du.errors.append("Indiquez la date de début de la période.")
            return None
        if self.au.data is None:
            self.au.errors.append("Indiquez la date de fin de la période.")
            return None
        if self.au.data < self.du.data:
            self.au.errors.append(
                "La date de fin doit être le même jour que la date de début ou après."
            )
            return None
        return Period(self.du.data, self.au.data)
