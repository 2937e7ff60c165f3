"""Charts of the figures as standalone SVG, drawn on the server with pygal.

The SVG runs no script and loads nothing: pygal's interactive script and the
configuration it writes for it are left out, so the file reads the same in a
browser, a printed page or a word processor. It carries its title and a
description (``<title>``/``<desc>``, ``role="img"``); the page shows the same
numbers in a table beside it.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import re
from xml.sax.saxutils import escape

import pygal
from pygal.style import Style

#: Dark enough on white for printing, told apart by more than a shade.
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a5002e")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#6b6b6b",
    colors=PALETTE,
    font_family="Arial, Helvetica, sans-serif",
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=12,
)
_SCRIPTS = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>")


@dataclasses.dataclass(frozen=True)
class Chart:
    """A bar chart: ``labels`` along one axis, one bar (or stacked part) per series."""

    name: str
    title: str
    description: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    stacked: bool = False
    horizontal: bool = False
    #: Appended to every value shown (« % » for rates).
    unit: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(value for _name, values in self.series for value in values)

    @property
    def data_uri(self) -> str:
        """The SVG for an ``<img>`` of the page itself: the page's figures are
        computed once, where a URL per chart recomputed them all per chart.
        (Inline ``<svg>`` would not do: pygal styles it with a ``<style>``
        element, which the Content-Security-Policy refuses in a page; inside
        an image it is the image's own.)"""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode()).decode()

    def svg(self) -> str:
        chart_class = {
            (False, False): pygal.Bar,
            (True, False): pygal.StackedBar,
            (False, True): pygal.HorizontalBar,
            (True, True): pygal.HorizontalStackedBar,
        }[(self.stacked, self.horizontal)]
        chart = chart_class(
            style=STYLE,
            title=self.title,
            js=[],
            width=900,
            height=max(420, 32 * len(self.labels) + 160) if self.horizontal else 460,
            print_values=True,
            print_zeroes=False,
            show_legend=len(self.series) > 1,
            legend_at_bottom=True,
            legend_at_bottom_columns=4,
            x_label_rotation=0 if self.horizontal or len(self.labels) <= 8 else 40,
            value_formatter=lambda value: f"{value:n}{self.unit}".replace(".", ","),
            truncate_label=-1,
            truncate_legend=-1,
            include_x_axis=True,
        )
        chart.x_labels = list(self.labels)
        if not self.unit:
            chart.y_labels = self._whole_number_ticks()
        for name, values in self.series:
            chart.add(name, list(values))
        return self._accessible(chart.render(is_unicode=True))

    def _whole_number_ticks(self) -> list[int]:
        """Counts read on whole numbers: no « 0,1 événement » on the axis."""
        totals = [sum(values) for values in zip(*(v for _n, v in self.series), strict=True)]
        peaks = totals if self.stacked else [v for _n, values in self.series for v in values]
        top = math.ceil(max(peaks, default=0)) or 1
        step = max(1, math.ceil(top / 10))
        return list(range(0, top + step, step))

    def _accessible(self, svg: str) -> str:
        svg = _COMMENTS.sub("", _SCRIPTS.sub("", svg))
        root = _ROOT.search(svg)
        title_id, desc_id = f"{self.name}-titre", f"{self.name}-description"
        opening = root.group(0)[:-1] + (
            f' role="img" aria-labelledby="{title_id} {desc_id}" lang="fr">'
            f'<title id="{title_id}">{escape(self.title)}</title>'
            f'<desc id="{desc_id}">{escape(self.description)}</desc>'
        )
        return svg[: root.start()] + opening + svg[root.end() :]
