"""Text as calendars hold it: single lines for titles, places and names; plain
text, not Markdown, for descriptions.

The icalendar library escapes line feeds and commas, but readers split lines on
more than that (a lone CR, NEL, U+2028), and control characters are not TEXT at
all (RFC 5545, 3.3.11). Whatever the database holds, a value leaves this module
with only the line breaks we mean, as ``\\n``, for the library to escape.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from instant_coorace.inputs import CONTROL, LINE_BREAK_IN_TEXT
from instant_coorace.markdown import render_markdown


def one_line(text: str) -> str:
    """Line breaks, tabs and control characters become single spaces."""
    return " ".join(CONTROL.sub(" ", text).split())


def lines(text: str) -> str:
    """Every kind of line break becomes ``\\n``; other control characters go."""
    return "\n".join(one_line(line) for line in LINE_BREAK_IN_TEXT.split(text))


def markdown_to_text(markdown: str) -> str:
    """What a reader sees of the Markdown, as text: paragraphs apart, list items
    as « - » lines, links as « text (address) ». It goes through the sanitiser
    first, so what the page hides (scripts, raw HTML) the calendar hides too."""
    reader = _TextReader()
    reader.feed(str(render_markdown(markdown)))
    reader.close()
    return re.sub(r"\n{3,}", "\n\n", lines("".join(reader.parts))).strip()


_BLOCKS = {"p", "h2", "h3", "h4", "blockquote", "pre", "table", "hr", "ul", "ol"}


class _TextReader(HTMLParser):
    """Walks the sanitised HTML (a known, small set of tags) and keeps its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._lists: list[list[int] | None] = []  # ``None`` for « - », else a counter
        self._links: list[tuple[str | None, int]] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n" if self._lists else "\n\n")
        if tag == "pre":
            self._pre += 1
        elif tag == "ul":
            self._lists.append(None)
        elif tag == "ol":
            self._lists.append([0])
        elif tag == "li":
            counter = self._lists[-1] if self._lists else None
            if counter is None:
                self.parts.append("\n- ")
            else:
                counter[0] += 1
                self.parts.append(f"\n{counter[0]}. ")
        elif tag in ("br", "tr"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self._links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n" if self._lists else "\n\n")
        if tag == "pre":
            self._pre -= 1
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            address = (href or "").removeprefix("mailto:")
            if address and address != label:
                self.parts.append(f" ({address})" if label else address)

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))
