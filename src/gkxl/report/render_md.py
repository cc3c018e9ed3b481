"""The report as Markdown: headings, paragraphs and pipe tables.

Markdown has no merged cells, so a merged label is repeated in every
position it covers (titles, the corner note and numbers appear once): each
row then reads whole ("三、本年度办理结果 |
（三）不予公开 | 1.属于国家秘密 | …"), and the importer reads it back by
labels. Text is escaped so nothing a clerk typed becomes markup or HTML.
"""

from __future__ import annotations

import re

from .model import DRAFT_NOTE, Grid, ReportDoc

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~&!])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])")


def md_escape(text: str, line_start: bool = True) -> str:
    """Backslash-escape markup; `line_start` also guards a line's first
    characters (a list marker "1." or "-"), not needed inside a table cell."""
    s = _SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    if line_start:
        s = _LINE_START.sub(r"\1\2\\\3", s)
        if s[:1] in "+-=":
            s = "\\" + s
    return s


def md_unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _shown(c, r: int, k: int) -> str:
    """Labels repeat over their merge (each row reads whole); a title, the
    corner note and a number appear once, in the merge's first cell."""
    if c is None:
        return ""
    if c.role in ("title", "corner", "value") and (r, k) != (c.row, c.col):
        return ""
    return md_escape(c.text, line_start=False)


def grid_md(grid: Grid) -> str:
    m = grid.matrix()
    lines = []
    for r, row in enumerate(m):
        lines.append("| " + " | ".join(_shown(c, r, k) for k, c in enumerate(row)) + " |")
        if r == 0:
            lines.append("|" + "|".join(" --- " for _ in row) + "|")
    return "\n".join(lines)


def render_md(doc: ReportDoc) -> str:
    out = [f"# {md_escape(doc.title)}", ""]
    if doc.draft:
        out += [f"> **{md_escape(DRAFT_NOTE)}**", ""]
    for b in doc.blocks:
        if b.kind == "heading":
            out += [f"## {md_escape(b.text)}", ""]
        elif b.kind == "subheading":
            out += [f"### {md_escape(b.text)}", ""]
        elif b.kind == "para":
            out += [md_escape(b.text), ""]
        elif b.kind == "table" and b.grid is not None:
            out += [grid_md(b.grid), ""]
    return "\n".join(out)
