"""Read a report written as Markdown (gkxl's own .md, or one like it):
headings and paragraphs are paragraphs, pipe-table rows are table rows."""

from __future__ import annotations

import re

from .render_md import md_unescape
from .source import Para, RawTable, SourceDoc

_DELIM = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [md_unescape(c.strip()) for c in _SPLIT.split(s)]


def parse_md(text: str, path: str = "") -> SourceDoc:
    blocks: list = []
    table: RawTable | None = None
    raw_lines = text.replace("\r\n", "\n").split("\n")
    for no, raw in enumerate(raw_lines, 1):
        line = raw.strip()
        if line.startswith("|"):
            if _DELIM.match(line):
                continue
            if table is None:
                table = RawTable([], [], f"第 {no} 行起的表格")
                blocks.append(table)
            cells = _cells(line)
            table.rows.append(cells)
            table.where.append([f"第 {no} 行第 {k + 1} 格" for k in range(len(cells))])  # type: ignore[union-attr]
            continue
        table = None
        if not line:
            continue
        line = re.sub(r"^(#{1,6}\s+|>\s*)", "", line)
        line = re.sub(r"^\*\*(.*)\*\*$", r"\1", line)
        if line:
            blocks.append(Para(md_unescape(line), f"第 {no} 行"))
    lines = [(md_unescape(ln), f"第 {no} 行") for no, ln in enumerate(raw_lines, 1) if not _DELIM.match(ln.strip())]
    return SourceDoc(blocks, path, "", "md", lines)
