"""The report as one self-contained HTML page that prints well on A4.

No scripts, no external fonts or images; every piece of text is escaped, so
whatever a clerk typed into the workbook cannot become markup.
"""

from __future__ import annotations

from html import escape

from .model import DRAFT_MARK, DRAFT_NOTE, Grid, ReportDoc

CSS = """
@page { size: A4; margin: 2cm 1.8cm; }
body { font-family: "FangSong", "仿宋", "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", serif;
       font-size: 16px; line-height: 1.75; color: #000; max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 22px; text-align: center;
     margin: 0.5em 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 17px; margin: 1.2em 0 0.4em; }
h3 { font-family: "KaiTi", "楷体", serif; font-size: 16px; margin: 0.8em 0 0.3em; }
p { text-indent: 2em; margin: 0.3em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 12px; line-height: 1.4; }
th, td { border: 1px solid #000; padding: 3px 4px; text-align: center; vertical-align: middle; }
th { font-weight: normal; }
td.num { font-variant-numeric: tabular-nums; }
th.title { font-weight: bold; }
th.rowlabel { text-align: left; }
p.draft-note { text-indent: 0; color: #b00; font-weight: bold; text-align: center; border: 2px solid #b00;
               padding: 0.3em; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 120px;
             color: rgba(200, 0, 0, 0.12); transform: rotate(-30deg); pointer-events: none; z-index: 0; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
h2, h3 { page-break-after: avoid; break-after: avoid; }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""


def _cell_html(c, tag: str) -> str:
    attrs = []
    if c.rowspan > 1:
        attrs.append(f' rowspan="{c.rowspan}"')
    if c.colspan > 1:
        attrs.append(f' colspan="{c.colspan}"')
    cls = "num" if c.role == "value" else c.role
    attrs.append(f' class="{cls}"')
    return f"<{tag}{''.join(attrs)}>{escape(c.text)}</{tag}>"


def grid_html(grid: Grid) -> str:
    """A table with real rowspan/colspan; the top header block in <thead>."""
    by_row: dict[int, list] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)
    head_n = grid.header_rows()
    out = ["<table>"]
    if head_n:
        out.append("<thead>")
    for r in range(grid.height):
        if r == head_n:
            if head_n:
                out.append("</thead>")
            out.append("<tbody>")
        cells = sorted(by_row.get(r, []), key=lambda c: c.col)
        out.append("<tr>" + "".join(_cell_html(c, "td" if c.role == "value" else "th") for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(doc: ReportDoc) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(doc.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
    if doc.draft:
        parts.append(f'<div class="watermark" aria-hidden="true">{DRAFT_MARK}</div>')
    parts.append(f"<h1>{escape(doc.title)}</h1>")
    if doc.draft:
        parts.append(f'<p class="draft-note">{escape(DRAFT_NOTE)}</p>')
    for b in doc.blocks:
        if b.kind == "heading":
            parts.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "subheading":
            parts.append(f"<h3>{escape(b.text)}</h3>")
        elif b.kind == "para":
            parts.append(f"<p>{escape(b.text)}</p>")
        elif b.kind == "table" and b.grid is not None:
            parts.append(grid_html(b.grid))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
