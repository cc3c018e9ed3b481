"""Where a return's parts stand: its identity, its tables (by their labels), its text sections
and cover fields. A gkxl workbook has every table in place and this costs one comparison per
label; a moved table, a renamed sheet or a copy without gkxl's identity is found by its labels.
"""

from __future__ import annotations

from functools import lru_cache

from ..findings import Finding, finding
from ..form import Form
from ..form.layout import COVER_SHEET, META_SHEET, TEXT_SHEET, SheetLayout, a1
from .cells import RawSheet
from .values import normalise_text
from .xlsx import RawBook


@lru_cache(maxsize=65536)
def norm(s: str) -> str:
    return normalise_text(s or "")


def read_identity(book: RawBook) -> dict[str, str]:
    """gkxl's identity: the custom document properties, else the very hidden sheet
    (both are written; either survives Excel, WPS and LibreOffice)."""
    meta: dict[str, str] = {k[5:]: v for k, v in book.custom.items() if k.startswith("gkxl_")}
    if not meta.get("form_id"):
        meta = {}
        sh = book.sheet(META_SHEET)
        if sh is not None:
            for (r, c), cell in sh.cells.items():
                if c == 0 and isinstance(cell.value, str):
                    meta[cell.value] = sh.text(r, 1)
    return meta if meta.get("form_id") else {}


class Index:
    """Normalised label text -> positions, per sheet, built on demand."""

    def __init__(self, book: RawBook) -> None:
        self.book = book
        self._by_sheet: dict[str, dict[str, list[tuple[int, int]]]] = {}

    def sheet(self, name: str) -> dict[str, list[tuple[int, int]]]:
        if name not in self._by_sheet:
            idx: dict[str, list[tuple[int, int]]] = {}
            sh = self.book.sheet(name)
            if sh is not None:
                for pos, cell in sh.cells.items():
                    if isinstance(cell.value, str) and cell.value.strip():
                        idx.setdefault(norm(cell.value), []).append(pos)
            self._by_sheet[name] = idx
        return self._by_sheet[name]


def labels_match(sheet: RawSheet, labels, dr: int, dc: int) -> list[tuple[int, int, str, str]]:
    """The labels (row, col, text) not found at their place moved by (dr, dc): (row, col, want, got)."""
    bad = []
    values = sheet.values
    if not dr and not dc:
        for r, c, text in labels:
            if values.get((r, c)) != text and norm(sheet.text(r, c)) != norm(text):
                bad.append((r, c, text, sheet.text(r, c)))
        return bad
    for r, c, text in labels:
        if values.get((r + dr, c + dc)) == text:
            continue  # exactly as written: the usual case
        got = sheet.text(r + dr, c + dc)
        if norm(got) != norm(text):
            bad.append((r + dr, c + dc, text, got))
    return bad


def _find_block(book: RawBook, index: Index, labels, prefer: str | None) -> tuple[str, int, int] | None:
    """Where a table block's labels all stand: (sheet, row offset, col offset)."""
    anchor = next(((r, c, t) for r, c, t in labels if t), None)
    if anchor is None:
        return None
    ar, ac, at = anchor
    names = ([prefer] if prefer in book.sheet_names else []) + [n for n in book.sheet_names if n != prefer]
    for name in names:
        if name == META_SHEET:
            continue
        for (r, c) in index.sheet(name).get(norm(at), []):
            sh = book.sheet(name)
            if sh is not None and not labels_match(sh, labels, r - ar, c - ac):
                return name, r - ar, c - ac
    return None


def locate(book: RawBook, index: Index, sname: str, sl: SheetLayout, block, labels, matched_by: str,
           findings: list[Finding]) -> tuple[str, int, int] | None:
    """Where a table block stands: in place; moved or on a renamed sheet (a finding);
    or, in a gkxl workbook whose labels were changed, in place with every changed label named."""
    raw = book.sheet(sname)
    if raw is not None and not labels_match(raw, labels, 0, 0):
        return (sname, 0, 0)
    where = _find_block(book, index, labels, sname)
    name = block.table.title or sl.title
    if where is not None:
        if matched_by == "identity" and where[0] != sname:
            findings.append(finding("G-SHEET-RENAMED", f"表格“{name}”应在工作表“{sname}”中，"
                                    f"实际在“{where[0]}”中（工作表被改名）", sheet=where[0]))
        elif matched_by == "identity":
            findings.append(finding("G-LABEL", f"表格“{name}”整体移动了位置（插入或删除了行、列）",
                                    sheet=sname))
        return where
    if raw is None or matched_by != "identity":
        return None
    bad = labels_match(raw, labels, 0, 0)
    for r, c, want, got in bad[:20]:
        findings.append(finding("G-LABEL", f"标签应为“{want}”，实际为“{got or '（空）'}”：表格标签被修改或增删了行、列",
                                sheet=sname, cell=a1(r, c), values={"expected": want, "found": got}))
    if len(bad) > 20:
        findings.append(finding("G-LABEL", f"另有 {len(bad) - 20} 处标签不符", sheet=sname))
    return (sname, 0, 0)


def read_texts(book: RawBook, form: Form, index: Index) -> dict[str, str]:
    out: dict[str, str] = {}
    sh = book.sheet(TEXT_SHEET)
    for t, (r, c) in zip(form.texts, form.plan.texts.values()):
        if sh is not None and norm(sh.text(r - 1, c)) == norm(t.label):
            out[t.id] = sh.text(r, c).strip()
            continue
        for name in book.sheet_names:  # search by label
            hits = index.sheet(name).get(norm(t.label))
            if hits:
                rr, cc = hits[0]
                s2 = book.sheet(name)
                below, right = s2.text(rr + 1, cc).strip(), s2.text(rr, cc + 1).strip()
                out[t.id] = below or right
                break
        else:
            out[t.id] = ""
    return out


def read_cover(book: RawBook, form: Form, index: Index) -> dict[str, str]:
    out: dict[str, str] = {}
    sh = book.sheet(COVER_SHEET)
    for f, (r, c) in zip(form.cover, form.plan.cover.values()):
        if sh is not None and norm(sh.text(r, 0)) == norm(f.label):
            out[f.id] = sh.text(r, c).strip()
            continue
        out[f.id] = ""
        for name in book.sheet_names:
            hits = index.sheet(name).get(norm(f.label))
            if hits:
                rr, cc = hits[0]
                out[f.id] = book.sheet(name).text(rr, cc + 1).strip()
                break
    return out
