"""The stylesheet's colours meet WCAG 2.1 non-text contrast (1.4.11, at least 3:1)
for what a keyboard user and a low-vision user rely on: the focus ring, wherever
it is drawn, and the border that shows where a field is. axe-core checks text
contrast only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parent.parent / "instant_coorace" / "static" / "site.css").read_text()
NON_TEXT_MINIMUM = 3.0


def variables() -> dict[str, str]:
    """``--name: value`` pairs of :root, with ``var(--other)`` resolved."""
    raw = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", CSS))
    resolved = {}
    for name, value in raw.items():
        while (match := re.fullmatch(r"var\((--[\w-]+)\)", value.strip())) is not None:
            value = raw[match.group(1)]
        resolved[name] = value.strip()
    return resolved


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_wcag_formula_gives_the_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#d9531e", "#0b5d6b") == pytest.approx(1.86, abs=0.01)  # the old ring


@pytest.mark.parametrize(
    ("colour", "background"),
    [
        ("--focus-ring", "--bg"),
        ("--focus-ring", "--paper"),
        ("--focus-ring-on-header", "--brand"),
        ("--focus-ring-on-header", "--staff-header"),
        ("--field-border", "--bg"),
        ("--field-border", "--paper"),
    ],
)
def test_focus_ring_and_field_borders_stand_out(colour, background):
    colours = variables()
    ratio = contrast(colours[colour], colours[background])
    assert ratio >= NON_TEXT_MINIMUM, f"{colour} on {background}: {ratio:.2f}:1"


def test_the_rules_use_those_colours():
    assert re.search(r"(?m)^:focus-visible \{ outline: 3px solid var\(--focus-ring\)", CSS)
    assert ".site-header :focus-visible { outline-color: var(--focus-ring-on-header); }" in CSS
    assert "body.staff .site-header { background: var(--staff-header); }" in CSS
    assert "border: 1px solid var(--field-border)" in CSS
    assert "#8a94a6" not in CSS  # the old, too pale field border
