"""A date written ISO-style in prose (issue 22: "2026年12月1日 where prose, ISO in tables and exports").

``iso_dates_in_prose(html)`` returns the dates like 2026-12-01 found in the visible text of a paragraph, a
list item, a heading, a detail line (``<dd>``) or the page's title, unless they sit inside a table, a form
control (input, textarea, select) or preformatted text, where ISO is the rule. Attributes are never read
(``<time datetime="…">`` keeps ISO). A date followed by a time (2026-12-01 09:30) is a timestamp, which this
check leaves alone.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ISO_DATE = re.compile(r"(?<![\d\-/.])\d{4}-\d{2}-\d{2}(?![\d\-/])(?!\s*\d{1,2}:\d{2})")

PROSE = frozenset({"p", "li", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "title", "figcaption", "blockquote"})
ISO_ZONES = frozenset({"table", "textarea", "select", "option", "pre", "code", "script", "style"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Prose(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.stack:  # close up to the matching tag (browsers' leniency with unclosed ones)
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if any(tag in ISO_ZONES for tag in self.stack) or not any(tag in PROSE for tag in self.stack):
            return
        self.found.extend(match.group(0) for match in ISO_DATE.finditer(data))


def iso_dates_in_prose(html: str) -> list[str]:
    parser = _Prose()
    parser.feed(html)
    parser.close()
    return parser.found
