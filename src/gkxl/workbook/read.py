"""Read a completed return: values by their place in the form, never by trust.

`read_return(path)` gives a `Return`: identity, every input by (table, row,
column), the text sections, the cell each value came from, and findings
about the workbook itself (tampering, values that are not numbers). Totals
are recomputed from the inputs; a cached formula result is only compared.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from lxml import etree

from ..form.compute import Number, recompute, clean_number
from ..errors import FormError, ReadError
from ..findings import Finding, Severity, finding
from ..form import CellKey, Form, load_form
from ..form.layout import (COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, ROLLUP_SHEETS, TEXT_SHEET, SheetLayout, a1, cover_positions,
                     sheet_layouts, text_positions)
from .values import MAX_VALUE, classify, in_range, leaves_of, normalise_text, parse_number
from .xlsx import RawBook, RawSheet, load_bytes, open_book

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Return:
    path: str
    sha256: str
    form: Form
    identity: dict[str, str]
    matched_by: str  # 'identity' | 'labels'
    inputs: dict[CellKey, Number | None]
    values: dict[CellKey, Number]  # what the return says: inputs (blank as 0) and totals
    reported: dict[CellKey, Number | None]  # totals as the workbook showed them
    texts: dict[str, str]
    cover: dict[str, str]
    sources: dict[CellKey, tuple[str, str]]
    findings: list[Finding] = field(default_factory=list)
    modified: str = ""

    @property
    def agency_code(self) -> str:
        return self.identity.get("agency_code") or self.cover.get("agency_code", "")

    @property
    def agency_name(self) -> str:
        return self.identity.get("agency_name") or self.cover.get("agency_name", "")

    @property
    def year(self) -> int | None:
        y = self.identity.get("year") or self.cover.get("year", "")
        m = re.search(r"\d{4}", str(y))
        return int(m.group(0)) if m else None

    @property
    def kind(self) -> str:
        return self.identity.get("kind", "return")

    @property
    def is_rollup(self) -> bool:
        return self.kind == "rollup"

    def source(self, key: CellKey) -> str:
        s, c = self.sources.get(key, ("", ""))
        return f"{s}!{c}" if s else ""


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    return normalise_text(s or "")


def _raw_text(v: object) -> str:
    return f"{v:.6g}" if isinstance(v, float) and not in_range(v) else str(v)


# number formats that show a date or time: the built-in ids, and codes with date or time letters
# outside quotes, brackets and escapes ("yyyy-mm-dd", "m月d日", "h:mm")
_DATE_IDS = frozenset(range(14, 23)) | frozenset(range(27, 37)) | frozenset(range(45, 48)) | frozenset(range(50, 59))
_FMT_NOISE = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]|_.|\*.', re.I)
_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF = re.compile(rb'<(?:\w+:)?xf\b([^>]*)')
_XF_FMT = re.compile(rb'\bnumFmtId="(\d+)"')
_CELL_STYLE = re.compile(rb'<(?:\w+:)?c\b([^>]*)>')
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_DATE_XF_CACHE: dict[bytes, frozenset[int]] = {}


def is_date_format(fmt_id: int, code: str | None) -> bool:
    """Whether a number format shows a date or a time."""
    if code is None:
        return fmt_id in _DATE_IDS
    if code.lower() == "general":
        return False
    bare = _FMT_NOISE.sub("", code.split(";")[0])
    return bool(re.search(r"[ymdhs]", bare, re.I))


def _date_styles(book: RawBook) -> frozenset[int]:
    """Indexes of the cell styles that show a date or time (empty for gkxl's own workbooks)."""
    cached = getattr(book, "_gkxl_date_xfs", None)
    if cached is not None:
        return cached
    names = book._zip.names
    part = "xl/styles.xml" if "xl/styles.xml" in names else next((n for n in names if n.endswith("styles.xml")), None)
    out: frozenset[int] = frozenset()
    if part is not None:
        from .xlsx import _read_part

        data = _read_part(book._zip, part, book.path, book._budget)
        key = hashlib.blake2b(data, digest_size=16).digest()
        out = _DATE_XF_CACHE.get(key)  # type: ignore[assignment]
        if out is None:
            codes = {int(i): c.decode("utf-8", "replace").replace("&quot;", '"').replace("&amp;", "&")
                     for i, c in _NUMFMT.findall(data)}
            m = _CELLXFS.search(data)
            found = set()
            for i, attrs in enumerate(_XF.findall(m.group(1)) if m else []):
                fm = _XF_FMT.search(attrs)
                fid = int(fm.group(1)) if fm else 0
                if is_date_format(fid, codes.get(fid)):
                    found.add(i)
            out = frozenset(found)
            if len(_DATE_XF_CACHE) > 256:
                _DATE_XF_CACHE.clear()
            _DATE_XF_CACHE[key] = out
    book._gkxl_date_xfs = out  # type: ignore[attr-defined]
    return out


def _dates(book: RawBook, sheet: str) -> frozenset[tuple[int, int]]:
    """Cells of a sheet whose number format shows a date or time. Read only when the workbook has
    such a style at all: gkxl's templates have none, so the usual return pays one small part."""
    memo = getattr(book, "_gkxl_dates", None)
    if memo is None:
        memo = book._gkxl_dates = {}  # type: ignore[attr-defined]
    hit = memo.get(sheet)
    if hit is not None:
        return hit
    styles = _date_styles(book)
    out: set[tuple[int, int]] = set()
    if styles and sheet in book._targets:
        from .xlsx import _read_part, _ref

        data = _read_part(book._zip, book._targets[sheet], book.path, [1 << 62])
        for attrs in _CELL_STYLE.findall(data):
            sm = _ATTR_S.search(attrs)
            if sm and int(sm.group(1)) in styles:
                rm = _ATTR_R.search(attrs)
                pos = _ref(rm.group(1).decode()) if rm else None
                if pos is not None:
                    out.add(pos)
    memo[sheet] = frozenset(out)
    return memo[sheet]


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


class _Index:
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
                        idx.setdefault(_norm(cell.value), []).append(pos)
            self._by_sheet[name] = idx
        return self._by_sheet[name]


def _labels_match(sheet: RawSheet, labels, dr: int, dc: int) -> list[tuple[int, int, str, str]]:
    bad = []
    cells = sheet.cells
    for r, c, text in labels:
        cell = cells.get((r + dr, c + dc))
        if cell is not None and cell.value == text:
            continue  # exactly as written: the usual case
        got = sheet.text(r + dr, c + dc)
        if _norm(got) != _norm(text):
            bad.append((r + dr, c + dc, text, got))
    return bad


def _find_block(book: RawBook, index: _Index, labels, prefer: str | None) -> tuple[str, int, int] | None:
    """Where a table block's labels all stand: (sheet, row offset, col offset)."""
    anchor = next(((r, c, t) for r, c, t in labels if t), None)
    if anchor is None:
        return None
    ar, ac, at = anchor
    names = ([prefer] if prefer in book.sheet_names else []) + [n for n in book.sheet_names if n != prefer]
    for name in names:
        if name == META_SHEET:
            continue
        for (r, c) in index.sheet(name).get(_norm(at), []):
            sh = book.sheet(name)
            if sh is not None and not _labels_match(sh, labels, r - ar, c - ac):
                return name, r - ar, c - ac
    return None


from ..form.plan import formula_norm as _formula_norm  # noqa: E402


def _sheet_map(book: RawBook, form: Form) -> dict[str, str]:
    return {name: name for name in sheet_layouts(form) if name in book.sheet_names}


def read_return(source: str | os.PathLike | bytes, form: Form | str | None = None, *,
                name: str | None = None, expect_agency: str | None = None,
                expect_year: int | None = None) -> Return:
    """Read one return. Raises ReadError when it cannot be read at all."""
    data, path = load_bytes(source, name)
    sha = hashlib.sha256(data).hexdigest()
    try:
        book = open_book(data, path)
        try:
            return _read(book, path, sha, form, expect_agency, expect_year)
        finally:
            book.close()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, IndexError, KeyError, NotImplementedError,
            RuntimeError, UnicodeDecodeError, zlib.error, struct.error, etree.LxmlError) as e:
        # a damaged package that got past the first checks: still a clean, named refusal
        raise ReadError(f"{path}：文件结构已损坏，无法读取（{type(e).__name__}），请重新保存后发送",
                        code="READ_CORRUPT", path=path) from None


def _read(book: RawBook, path: str, sha: str, form_arg, expect_agency, expect_year) -> Return:
    findings: list[Finding] = []
    ident = read_identity(book)
    if ident:
        if isinstance(form_arg, Form) and (form_arg.id, form_arg.version) == (ident["form_id"],
                                                                            ident.get("form_version") or form_arg.version):
            form = form_arg  # the caller holds the very form the workbook names (a form file outside the folder)
        else:  # the workbook says which form it is; that wins over the caller's guess
            try:
                form = load_form(ident["form_id"], ident.get("form_version") or None)
            except FormError:
                raise ReadError(f"{path}：工作簿声明的表单“{ident.get('form_id')}”（版本 {ident.get('form_version')}）"
                                f"不在 workbook_templates 中，无法识别（未知表单）", code="READ_UNKNOWN_FORM",
                                path=path) from None
        if ident.get("fingerprint") and ident["fingerprint"] != form.fingerprint:
            findings.append(finding("G-FINGERPRINT", f"工作簿记录的结构指纹 {ident['fingerprint']} 与表单 {form.id} {form.version} "
                                    f"的指纹 {form.fingerprint} 不符：模板可能来自旧版本或被改动",
                                    sheet=META_SHEET))
        matched_by = "identity"
    else:
        form = load_form(form_arg) if not isinstance(form_arg, Form) else form_arg
        matched_by = "labels"
    index = _Index(book)
    layouts = sheet_layouts(form)
    inputs: dict[CellKey, Number | None] = {}
    reported: dict[CellKey, Number | None] = {}
    literal_totals: set[CellKey] = set()
    sources: dict[CellKey, tuple[str, str]] = {}
    sums: dict[CellKey, Number] = {}  # what the workbook's sums count for each input (values.classify)
    problems: set[CellKey] = set()  # inputs that are not valid values

    found_any = False
    missing_blocks: list[str] = []
    expected_formula = form.plan.formulas_normalised
    imported = ident.get("kind") == "imported"
    rollup = ident.get("kind") == "rollup"
    for bp in form.plan.blocks:
        sname, sl, block, labels, plan = bp.sheet, bp.layout, bp.block, bp.labels, bp.cells
        where = _locate(book, index, sname, sl, block, labels, matched_by, findings)
        if where is None:
            missing_blocks.append(f"{sl.name}·{block.table.title or block.table.id}")
            continue
        found_any = True
        wsname, dr, dc = where
        raw = book.sheet(wsname)
        assert raw is not None
        rawcells = raw.cells
        moved = bool(dr or dc)
        in_place = not moved and wsname == sname
        for key, r, c, ref, kind, is_total, src in plan:
            if in_place:
                sources[key] = src
            else:
                r, c = r + dr, c + dc
                ref = a1(r, c)
                sources[key] = (wsname, ref)
            cell = rawcells.get((r, c))
            if is_total:
                _read_total(form, key, cell, kind, wsname, ref, "labels" if imported else matched_by,
                            expected_formula.get(key, ""), reported, literal_totals, findings)
                continue
            if cell is None:
                inputs[key] = None
                continue
            value_raw = cell.value
            if cell.type == "n" and not cell.has_formula and type(value_raw) is float:
                if kind == "count" and 0 <= value_raw <= MAX_VALUE and value_raw.is_integer() \
                        and (r, c) not in _dates(book, wsname):
                    inputs[key] = sums[key] = int(value_raw)  # the common case
                    continue
            cv = classify(value_raw, kind, cell.type, cell.type == "n" and (r, c) in _dates(book, wsname))
            if cell.has_formula and not (rollup and cell.type == "n"):
                if cell.type in ("n", "s", "b", "e") and value_raw is not None:
                    findings.append(finding("V-INPUT-FORMULA", f"{form.label_of(key)}：填报单元格中是公式“={cell.formula}”，"
                                            "已取其计算结果", sheet=wsname, cell=ref, severity=Severity.INFO))
                else:
                    findings.append(finding("V-INPUT-FORMULA", f"{form.label_of(key)}：填报单元格中是公式“={cell.formula}”，"
                                            "且没有计算结果", sheet=wsname, cell=ref))
                    inputs[key] = None
                    problems.add(key)
                    continue
            if cv.problem:
                problems.add(key)
                if cv.text_number is not None:
                    findings.append(finding("V-TEXT-NUMBER", f"{form.label_of(key)}：{cv.problem}", sheet=wsname,
                                            cell=ref, values={"raw": str(value_raw), "value": cv.text_number}))
                else:
                    findings.append(finding("V-NUMBER", f"{form.label_of(key)}：{cv.problem}",
                                            sheet=wsname, cell=ref, values={"raw": _raw_text(value_raw)}))
            inputs[key] = cv.value
            if cv.sums_as:
                sums[key] = cv.sums_as
    if not found_any or (matched_by == "labels" and missing_blocks):
        what = "、".join(missing_blocks[:6])
        raise ReadError(f"{path}：不是本系统的填报模板，也无法按表格标签识别（找不到：{what}）。"
                        f"请使用下发的模板填写，不要复制到新文件中", code="READ_UNRECOGNISED", path=path)
    if matched_by == "labels":
        findings.insert(0, finding("G-NO-IDENTITY", "工作簿没有 gkxl 标识（可能是把表格复制到了新文件），已按表格标签识别；"
                                   "请尽量使用下发的模板", sheet=""))

    values = recompute(form, sums)
    if literal_totals:
        for key in literal_totals:
            if reported.get(key) is not None:
                values[key] = reported[key]  # what the return claims; sum rules will judge it
        # totals computed from totals that were typed over must follow the typed values
        for d in form.derived_order:
            if d.cell not in literal_totals:
                values[d.cell] = clean_number(sum(values[t] for t in d.terms))
    if matched_by == "identity":
        for key, rep in reported.items():
            if key in literal_totals or rep is None or (problems and leaves_of(form, key) & problems):
                continue  # a bad input: each program sums it its own way, and it is reported at its cell
            if abs(rep - values[key]) > 1e-6:
                s, ref = sources[key]
                terms = [sources[t] for t in form.derived[key].terms if t in sources]
                findings.append(finding("G-CACHED", f"{form.label_of(key)}：单元格保存的结果为 {rep}，按填报数字重新计算应为 "
                                        f"{values[key]}（公式结果被改动，或文件保存时未重新计算）",
                                        sheet=s, cell=ref, values={"cached": rep, "recomputed": values[key]},
                                        cells=[f"{s}!{ref}"] + [f"{a}!{b}" for a, b in terms]))

    texts = _read_texts(book, form, index, matched_by)
    cover = _read_cover(book, form, index)
    _structure_findings(book, form, layouts, matched_by, findings)
    if book.has_macros:
        findings.append(finding("G-MACROS", "工作簿含有宏（VBA）。gkxl 从不运行宏，只读取数值；"
                                "请使用下发的 .xlsx 模板"))
    ident = dict(ident)
    if matched_by == "labels":
        ident.update({"form_id": form.id, "form_version": form.version, "kind": "return",
                      "agency_code": cover.get("agency_code", ""), "agency_name": cover.get("agency_name", ""),
                      "year": cover.get("year", "")})
    ret = Return(path, sha, form, ident, matched_by, inputs, values, reported, texts, cover, sources,
                 findings, book.modified)
    if expect_agency and ret.agency_code != expect_agency:
        findings.append(finding("G-AGENCY", f"这份报表属于单位“{ret.agency_code or '未知'}”"
                                f"（{ret.agency_name}），不是预期的“{expect_agency}”", sheet=COVER_SHEET))
    if expect_year and ret.year != expect_year:
        findings.append(finding("G-YEAR", f"这份报表的年度是 {ret.year or '未知'}，不是预期的 {expect_year}",
                                sheet=COVER_SHEET))
    return ret


def _locate(book: RawBook, index: _Index, sname: str, sl: SheetLayout, block, labels, matched_by: str,
            findings: list[Finding]) -> tuple[str, int, int] | None:
    """Where a table block stands: in place; moved or on a renamed sheet (a finding);
    or, in a gkxl workbook whose labels were changed, in place with every changed label named."""
    raw = book.sheet(sname)
    if raw is not None and not _labels_match(raw, labels, 0, 0):
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
    bad = _labels_match(raw, labels, 0, 0)
    for r, c, want, got in bad[:20]:
        findings.append(finding("G-LABEL", f"标签应为“{want}”，实际为“{got or '（空）'}”：表格标签被修改或增删了行、列",
                                sheet=sname, cell=a1(r, c), values={"expected": want, "found": got}))
    if len(bad) > 20:
        findings.append(finding("G-LABEL", f"另有 {len(bad) - 20} 处标签不符", sheet=sname))
    return (sname, 0, 0)


def _read_total(form: Form, key: CellKey, cell, kind: str, sheet: str, ref: str, matched_by: str,
                expected: str, reported: dict, literal_totals: set, findings: list[Finding]) -> None:
    if cell is None or (cell.value is None and not cell.has_formula):
        reported[key] = None
        if matched_by == "identity":
            findings.append(finding("G-FORMULA-REPLACED", f"{form.label_of(key)}：合计公式被删除",
                                    sheet=sheet, cell=ref, advice="请使用下发的模板重新填写。"))
        return
    v, problem, _ = parse_number(cell.value, kind)
    if not cell.has_formula:
        literal_totals.add(key)
        reported[key] = v
        if matched_by == "identity":
            shown = _raw_text(clean_number(cell.value)) if isinstance(cell.value, float) and in_range(cell.value) \
                else _raw_text(cell.value)
            findings.append(finding("G-FORMULA-REPLACED", f"{form.label_of(key)}：合计单元格的公式被替换为数字 {shown}",
                                    sheet=sheet, cell=ref, values={"found": cell.value},
                                    advice="合计由公式自动计算，请使用下发的模板，不要改动合计单元格。"))
        elif problem:
            findings.append(finding("V-NUMBER", f"{form.label_of(key)}：{problem}", sheet=sheet, cell=ref))
        return
    x = cell.value
    reported[key] = clean_number(x) if cell.type == "n" and isinstance(x, float) and in_range(x) else None
    if matched_by == "identity" and cell.formula and _formula_norm(cell.formula) != expected:
        findings.append(finding("G-FORMULA-CHANGED", f"{form.label_of(key)}：合计公式被改为“={cell.formula}”，应为“={expected}”",
                                sheet=sheet, cell=ref, values={"found": cell.formula, "expected": expected}))


def _read_texts(book: RawBook, form: Form, index: _Index, matched_by: str) -> dict[str, str]:
    out: dict[str, str] = {}
    sh = book.sheet(TEXT_SHEET)
    for t, (r, c) in zip(form.texts, text_positions(form).values()):
        if sh is not None and _norm(sh.text(r - 1, c)) == _norm(t.label):
            out[t.id] = sh.text(r, c).strip()
            continue
        for name in book.sheet_names:  # search by label
            hits = index.sheet(name).get(_norm(t.label))
            if hits:
                rr, cc = hits[0]
                s2 = book.sheet(name)
                below, right = s2.text(rr + 1, cc).strip(), s2.text(rr, cc + 1).strip()
                out[t.id] = below or right
                break
        else:
            out[t.id] = ""
    return out


def _read_cover(book: RawBook, form: Form, index: _Index) -> dict[str, str]:
    out: dict[str, str] = {}
    sh = book.sheet(COVER_SHEET)
    for f, (r, c) in zip(form.cover, cover_positions(form).values()):
        if sh is not None and _norm(sh.text(r, 0)) == _norm(f.label):
            out[f.id] = sh.text(r, c).strip()
            continue
        out[f.id] = ""
        for name in book.sheet_names:
            hits = index.sheet(name).get(_norm(f.label))
            if hits:
                rr, cc = hits[0]
                out[f.id] = book.sheet(name).text(rr, cc + 1).strip()
                break
    return out


def expected_sheets(form: Form, rollup: bool) -> list[str]:
    """The sheets a workbook of the form has, in order (its structure, which the fingerprint names)."""
    return [INSTRUCTIONS_SHEET, COVER_SHEET, *sheet_layouts(form), TEXT_SHEET,
            *(ROLLUP_SHEETS if rollup else ()), META_SHEET]


def _structure_findings(book: RawBook, form: Form, layouts, matched_by: str, findings: list[Finding]) -> None:
    """Sheets inserted, deleted, renamed, moved, hidden or unhidden, protection removed: found by
    comparing with the structure the form prescribes, whatever the protection flag says (LibreOffice
    writes a bare <workbookProtection/> and does not enforce it)."""
    if matched_by != "identity":
        return
    expected = expected_sheets(form, book.custom.get("gkxl_kind") == "rollup")
    renamed = any(f.rule == "G-SHEET-RENAMED" for f in findings)
    for name in book.sheet_names:
        if name not in expected and not (renamed and any(f.rule == "G-SHEET-RENAMED" and f.sheet == name
                                                         for f in findings)):
            findings.append(finding("G-EXTRA-SHEET", f"多出了工作表“{name}”（模板的结构被改动）", sheet=name))
    for name in [COVER_SHEET, *layouts, TEXT_SHEET]:
        sh = book.sheet(name)
        if sh is None:
            if not renamed:
                findings.append(finding("G-SHEET-MISSING", f"缺少工作表“{name}”", sheet=name))
            continue
        if not sh.protected:
            findings.append(finding("G-UNPROTECTED", f"工作表“{name}”的保护被撤销", sheet=name))
    if META_SHEET not in book.sheet_names:
        findings.append(finding("G-META-MISSING", f"隐藏的标识工作表“{META_SHEET}”被删除（表内的自动检查随之失效）",
                                sheet=META_SHEET))
    for name in book.sheet_names:
        state = book.states.get(name, "visible")
        if name == META_SHEET:
            if state == "visible":  # very hidden as written; LibreOffice saves it merely hidden
                findings.append(finding("G-SHEET-STATE", f"隐藏的标识工作表“{META_SHEET}”被取消隐藏", sheet=name))
        elif name in expected and state != "visible":
            findings.append(finding("G-SHEET-STATE", f"工作表“{name}”被隐藏", sheet=name))
    present = [n for n in book.sheet_names if n in expected]
    if present != [n for n in expected if n in present]:
        findings.append(finding("G-SHEET-ORDER", "工作表的顺序被改动：应为" + "、".join(
            f"“{n}”" for n in expected if n != META_SHEET and n in present)))
    if not book.structure_locked:
        findings.append(finding("G-STRUCTURE-UNLOCKED", "工作簿结构保护被撤销"))


# ---------------------------------------------------------------- many files

def iter_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files and folders -> the files to read (scan.scan_paths, which also says what it skipped).

    A named file that does not exist stays in the list, in its place, so that callers
    which only see this list still report it as unreadable rather than drop it."""
    from .scan import _Scan

    scan = _Scan(())
    out: list[Path] = []
    for p in map(Path, paths):
        if os.path.exists(p):
            before = len(scan.result.files)
            scan.argument(p)
            out.extend(scan.result.files[before:])
        else:
            out.append(p)
    return out
