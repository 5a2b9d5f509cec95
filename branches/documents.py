"""The Word-document helper every app uses (DESIGN §10, issue 21): documents rendered from .docx templates
the 组织部 edits in the admin (``DocumentTemplate``), with python-docx.

* A template is an ordinary .docx written in the layout units already use, with placeholders ``{{ name }}``
  where a value goes, and a paragraph holding only ``{{ table:name }}`` where a table (heading row, then rows)
  goes. Each app registers its documents (``register_document``): the key, the title, the placeholders and
  tables it fills, and the default template's lines, used until the 组织部 uploads its own.
* ``check_template`` is what an upload must pass: a .docx python-docx opens; every placeholder inside one run
  (a word processor that reformats or spell-checks half of ``{{ name }}`` splits it across runs, and it would
  silently stay in the output: such a template is refused with the placeholder and the reason); only known
  placeholders; each table placeholder alone in its paragraph.
* ``render_document`` fills the template (body, table cells, headers and footers) and returns the bytes.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}")
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: str
    placeholders: Mapping[str, str]  # name → what it holds (shown in the admin)
    tables: Mapping[str, str] = field(default_factory=dict)
    lines: Sequence[str] = ()  # the default template: one paragraph each; the first is the heading


_KINDS: dict[str, DocumentKind] = {}


def chinese_date(value: datetime.date | None) -> str:
    """A date as documents write it (2026年7月1日); empty for none."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def register_document(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.key] = kind
    return kind


def document_kinds() -> dict[str, DocumentKind]:
    return dict(sorted(_KINDS.items()))


def document_kind(key: str) -> DocumentKind:
    return _KINDS[key]


def _open(data: bytes):
    import docx

    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationError(
            _("The template is larger than %(n)d MB.") % {"n": MAX_TEMPLATE_BYTES // 1024 // 1024}
        )
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:  # python-docx raises several kinds
        raise ValidationError(_("The file is not a Word document (.docx) that can be read.")) from exc


def _paragraphs(document) -> Iterator:
    """Every paragraph: the body's, the tables' cells' (nested too), the headers' and footers'."""

    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", ()):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part is not None and not part.is_linked_to_previous:
                yield from walk(part)


def template_placeholders(document) -> list[tuple[str, bool]]:
    """(name, split) for each placeholder found in the paragraphs' text; split when no single run holds it."""
    found = []
    for paragraph in _paragraphs(document):
        text = paragraph.text
        if "{{" not in text:
            continue
        runs = [run.text for run in paragraph.runs]
        for match in PLACEHOLDER.finditer(text):
            whole = match.group(0)
            found.append((match.group(1), not any(whole in run for run in runs)))
        # A "{{" that is not a whole placeholder is a placeholder mistyped or broken by the word processor.
        if text.count("{{") != len(PLACEHOLDER.findall(text)):
            found.append((text.strip()[:40], True))
    return found


def check_template(data: bytes, *, kind: DocumentKind) -> None:
    """Refuse, with the reason, a template the renderer could not fill correctly."""
    document = _open(data)
    problems = []
    allowed = set(kind.placeholders) | {f"table:{name}" for name in kind.tables}
    for name, split in template_placeholders(document):
        if split:
            problems.append(
                _(
                    "The placeholder “%(name)s” is split across differently formatted pieces of text "
                    "(the word processor did this when part of it was edited or reformatted): delete it "
                    "and type it again in one go, without changing its format halfway."
                )
                % {"name": name}
            )
        elif name not in allowed:
            problems.append(
                _("Unknown placeholder “%(name)s”; this document knows: %(known)s")
                % {"name": name, "known": ", ".join(sorted(allowed))}
            )
    for paragraph in _paragraphs(document):
        text = paragraph.text.strip()
        if "{{" in text and "table:" in text and not re.fullmatch(PLACEHOLDER, text):
            problems.append(
                _("A table placeholder must be alone in its paragraph: %(text)s") % {"text": text[:60]}
            )
    if problems:
        raise ValidationError(problems)


def default_template(kind: DocumentKind) -> bytes:
    """The template used until the 组织部 uploads one: the kind's lines, the first as a centred heading."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for i, line in enumerate(kind.lines):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line)
        if i == 0:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(18)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_table(paragraph, headers: Sequence[str], rows: Sequence[Sequence[object]], document) -> None:
    table = document.add_table(rows=1, cols=max(len(headers), 1))
    table.style = "Table Grid" if "Table Grid" in [s.name for s in document.styles] else None
    for cell, heading in zip(table.rows[0].cells, headers, strict=False):
        cell.text = str(heading)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = "" if value is None else str(value)
    paragraph._p.addnext(table._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def render_document(
    *,
    template: bytes,
    context: Mapping[str, object],
    tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]] | None = None,
) -> bytes:
    """Fill ``template`` (checked on upload) with ``context`` and ``tables``; a value with line breaks becomes
    line breaks in its paragraph. Placeholders without a value are left empty."""
    document = _open(template)
    tables = tables or {}
    values = {key: "" if value is None else str(value) for key, value in context.items()}

    def value_of(match: re.Match) -> str:
        return values.get(match.group(1), "")

    table_paragraphs = []
    for paragraph in list(_paragraphs(document)):
        whole = PLACEHOLDER.fullmatch(paragraph.text.strip())
        if whole and whole.group(1).startswith("table:"):
            table_paragraphs.append((paragraph, whole.group(1)[len("table:") :]))
            continue
        for run in paragraph.runs:
            if "{{" in run.text:
                run.text = PLACEHOLDER.sub(value_of, run.text)
    for paragraph, name in table_paragraphs:
        headers, rows = tables.get(name, ((), ()))
        _replace_table(paragraph, headers, rows, document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def document_text(data: bytes) -> str:
    """All the text of a document, paragraphs and table cells in order: what tests and previews read back."""
    document = _open(data)
    return "\n".join(paragraph.text for paragraph in _paragraphs(document))


def template_for(key: str) -> bytes:
    """The 组织部's template for ``key`` if uploaded, else the registered default. One query."""
    from branches.models import DocumentTemplate

    content = DocumentTemplate.objects.filter(key=key).values_list("content", flat=True).first()
    return bytes(content) if content is not None else default_template(document_kind(key))


def document_render(
    *,
    key: str,
    context: Mapping[str, object],
    tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]] | None = None,
) -> bytes:
    """The registered document ``key`` filled in: what the download views return."""
    return render_document(template=template_for(key), context=context, tables=tables)


def docx_response(content: bytes, filename: str):
    """A generated document as a download named ``filename`` (Chinese names kept, RFC 5987)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
