"""Forms of the check-in page: the search (a GET form a USB scanner can type
into) and the taps. A walk-in is added with the team's registration form."""

from __future__ import annotations

from wtforms import HiddenField, SearchField
from wtforms.validators import Length, Optional

from instant_coorace.forms import SiteForm


class CheckInSearchForm(SiteForm):
    """Read from the query string, without CSRF."""

    class Meta:
        csrf = False

    q = SearchField(
        "Rechercher une personne",
        validators=[Optional(), Length(max=300, message="300 caractères au plus.")],
        description="Nom, prénom ou structure ; ou scannez un QR code d'accueil",
        render_kw={"autocomplete": "off", "autofocus": True, "enterkeyhint": "search"},
    )

    def search(self) -> str:
        return (self.q.data or "") if self.validate() else ""


class TapForm(SiteForm):
    """A tap on « présent·e » or « annuler »: its CSRF token, and the search to
    come back to."""

    q = HiddenField(validators=[Optional(), Length(max=300)])
