"""Markdown written by the team, rendered to HTML that is safe to show."""

from __future__ import annotations

import re

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


#: Lone surrogates: no encoding carries them (the input rule refuses them; text
#: stored before it may still hold one).
_SURROGATES = re.compile("[\ud800-\udfff]")


def render_markdown(text: str) -> Markup:
    html = md.markdown(
        _SURROGATES.sub("", text or ""), extensions=["extra", "sane_lists"], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
