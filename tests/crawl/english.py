"""Finds English on a zh-hans page: the text a reader sees (tags, scripts and styles stripped; of the attributes
only those shown: title, placeholder, alt, aria-label),
searched for ASCII words that are not on the allow-list (file types, units' codes, usernames, …)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words a Chinese page may show as they are: file types and formats, abbreviations used in Chinese
# (Q1–Q4 quarters, QR codes, ID), the product names of the tools it mentions, and the demo's login names.
ALLOWED = {
    "pdf",
    "xlsx",
    "xls",
    "docx",
    "doc",
    "jpg",
    "jpeg",
    "png",
    "zip",
    "csv",
    "atom",
    "rss",
    "word",
    "excel",
    "wps",
    "ppt",
    "pptx",
    "ofd",
    "office",
    "html",
    "gif",
    "png",
    "jpeg",
    "ctrl",
    "qr",
    "id",
    "ip",
    "url",
    "cas",
    "mb",
    "kb",
    "gb",
    "ok",
    "vs",
    "no",
    "pc",
    "app",
    "email",
    "e-mail",
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "am",
    "pm",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*")
_SKIP = re.compile(
    r"https?://\S+"  # links shown as text
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses
    r"|\b[\w-]+\.(pdf|xlsx|xls|docx|doc|jpg|jpeg|png|zip|csv)\b"  # file names
    r"|(?-i:\b[A-Z0-9]{8,}\b)",  # rating codes (upper case and digits: an English word is not one)
    re.IGNORECASE,
)


class _Text(HTMLParser):
    """The visible text of a page: everything outside <script>, <style>, <template> and <svg>, and the
    attributes shown to a reader."""

    SKIPPED = {"script", "style", "template", "svg", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    # Attributes a reader sees or hears: tooltips, placeholders, alternative text, screen-reader labels, and
    # the caption of an <input type="submit">.
    SHOWN = {"title", "placeholder", "alt", "aria-label"}

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.depth += 1
        if self.depth:
            return
        attributes = dict(attrs)
        for name in self.SHOWN & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.parts.append(attributes.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def english_words(html: str, *, allowed: set[str] = frozenset()) -> list[str]:
    """ASCII words on the page that a Chinese reader should not see (in their order, without repeats).
    ``allowed`` adds the page's own tokens (usernames, units' codes)."""
    return _english_in(visible_text(html), allowed)


def _english_in(text: str, allowed: set[str]) -> list[str]:
    found: list[str] = []
    for word in _WORD.findall(_SKIP.sub(" ", text)):
        lower = word.lower().strip("'’-")
        if len(lower) < 2 or lower in ALLOWED or word in allowed or lower in allowed:
            continue
        if any(ch.isdigit() for ch in lower) and not lower.isalpha():
            continue  # codes such as U1, C2, A2, 2026Q1
        if word not in found:
            found.append(word)
    return found


def english_in_context(html: str, *, allowed: set[str] = frozenset(), width: int = 20) -> list[str]:
    """``english_words`` with the text around each word, for the failure message."""
    text = visible_text(html)  # parsed once: the crawl reads ~9,000 pages
    shown = []
    for word in _english_in(text, allowed):
        at = text.find(word)
        shown.append(f"{word} «{text[max(at - width, 0) : at + len(word) + width]}»" if at >= 0 else word)
    return shown


class _Form(HTMLParser):
    """The fields of the page's first POST form that submits to ``path`` (or to itself), with the values a
    browser would send untouched: hidden and text inputs, checked boxes, selected options, textareas and
    the first named submit button."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.state = "before"  # before → inside → done
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []
        self.submitted = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.state == "before":
            if (a.get("method") or "").lower() == "post" and (a.get("action") or self.path) == self.path:
                self.state = "inside"
            return
        if self.state != "inside":
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button"}:
                if not self.submitted:
                    self.fields.append((name, a.get("value") or ""))
                    self.submitted = True
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind != "file":
                self.fields.append((name, a.get("value") or ""))
        elif tag == "button" and name and (a.get("type") or "submit") == "submit" and not self.submitted:
            self.fields.append((name, a.get("value") or ""))
            self.submitted = True
        elif tag == "select" and name:
            self.select, self.select_value = name, None
        elif tag == "option" and self.select is not None:
            if self.select_value is None or "selected" in a:
                self.select_value = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if self.state != "inside":
            return
        if tag == "select" and self.select is not None:
            if self.select_value is not None:
                self.fields.append((self.select, self.select_value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, "".join(self.text)))
            self.textarea = None
        elif tag == "form":
            self.state = "done"


def form_fields(html: str, path: str) -> dict[str, list[str]] | None:
    """What the page's POST form to ``path`` would send as it stands (None: the page has no such form)."""
    parser = _Form(path)
    parser.feed(html)
    parser.close()
    if parser.state == "before":
        return None
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data
