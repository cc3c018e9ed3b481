"""Read a report written as Markdown (gkxl's own .md, or one like it):
headings and paragraphs are paragraphs, pipe-table rows are table rows.

Machine extractions of PDFs to Markdown (MinerU, marker, pandoc with merged
cells) write a table they cannot draw with pipes as HTML: <table>…</table>,
on one line or over several, with rowspan/colspan. Such a table is read as
the web-page reader reads it (parse_html.html_tables), merged cells repeated,
and its rows go to the stream as cells apart by spaces."""

from __future__ import annotations

import re

from .limits import Budget
from .parse_html import html_tables
from .render_md import md_unescape
from .source import Para, RawTable, SourceDoc

_OPEN = re.compile(r"<table\b", re.I)
_CLOSE = re.compile(r"</table\s*>", re.I)
_TAG = re.compile(r"<[^>]{0,200}>")

_DELIM = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [md_unescape(c.strip()) for c in _SPLIT.split(s)]


def _html_block(raw_lines: list[str], i: int) -> tuple[str, int]:
    """The HTML table starting on line i (0-based): its text up to the line where every
    opened <table> is closed, and the index of the line after it."""
    depth = 0
    parts = []
    j = i
    while j < len(raw_lines):
        ln = raw_lines[j]
        parts.append(ln)
        depth += len(_OPEN.findall(ln)) - len(_CLOSE.findall(ln))
        j += 1
        if depth <= 0:
            break
    return "\n".join(parts), j


def parse_md(text: str, path: str = "") -> SourceDoc:
    blocks: list = []
    table: RawTable | None = None
    raw_lines = text.replace("\r\n", "\n").split("\n")
    budget = Budget(path)
    stream: list[tuple[str, str]] = []
    skip_to = 0
    for no, raw in enumerate(raw_lines, 1):
        if no <= skip_to:
            continue
        line = raw.strip()
        if _OPEN.search(line):
            table = None
            head = _TAG.sub("", line[:_OPEN.search(line).start()]).strip()
            if head:
                blocks.append(Para(md_unescape(head), f"第 {no} 行"))
                stream.append((md_unescape(head), f"第 {no} 行"))
            fragment, after = _html_block(raw_lines, no - 1)
            skip_to = after
            for t in html_tables(fragment[fragment.lower().find("<table"):], budget, f"第 {no} 行起的表格"):
                blocks.append(t)
                stream += [("  ".join(t.row_cells(r)), t.cell_where(r, 0)) for r in range(len(t.rows))]
            continue
        if line.startswith("|"):
            if _DELIM.match(line):
                continue
            if table is None:
                table = RawTable([], [], f"第 {no} 行起的表格")
                blocks.append(table)
            cells = _cells(line)
            table.rows.append(cells)
            table.where.append([f"第 {no} 行第 {k + 1} 格" for k in range(len(cells))])  # type: ignore[union-attr]
            stream.append((md_unescape(line), f"第 {no} 行"))
            continue
        table = None
        if not line:
            continue
        line = re.sub(r"^(#{1,6}\s+|>\s*)", "", line)
        line = re.sub(r"^\*\*(.*)\*\*$", r"\1", line)
        if line:
            blocks.append(Para(md_unescape(line), f"第 {no} 行"))
        stream.append((md_unescape(raw), f"第 {no} 行"))
    return SourceDoc(blocks, path, "", "md", stream)
