"""Read a completed return: values by their place in the form, never by trust.

`read_return(path)` gives a `Return`: identity, every input by (table, row,
column), the text sections, the cell each value came from, and findings
about the workbook itself (tampering, values that are not numbers). Totals
are recomputed from the inputs; a cached formula result is only compared.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from lxml import etree

from ..errors import FormError, ReadError
from ..findings import Finding, Severity, finding
from ..form import CellKey, Form, load_form
from ..form.compute import Number, clean_number, recompute
from ..form.layout import COVER_SHEET, META_SHEET, a1
from ..form.plan import formula_norm as _formula_norm
from .cells import RawCell
from .locate import Index, locate, read_cover, read_identity, read_texts  # noqa: F401  (read_identity: imported from here)
from .readplan import COUNT, TYPE_OF, BlockRead, FormRead, form_read
from .structure import expected_sheets, structure_findings  # noqa: F401  (expected_sheets: imported from here)
from .styles import date_cells, is_date_format  # noqa: F401  (is_date_format: imported from here)
from .values import MAX_VALUE, classify, in_range, leaves_of, parse_number
from .xlsx import RawBook, load_bytes, open_book

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


def _raw_text(v: object) -> str:
    return f"{v:.6g}" if isinstance(v, float) and not in_range(v) else str(v)


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


def _form_of(ident: dict[str, str], form_arg, path: str, findings: list[Finding]) -> tuple[Form, str]:
    """(form, 'identity' | 'labels'): the form the workbook names wins over the caller's guess; a workbook
    without gkxl's identity is read by the caller's form (or the default), by its labels."""
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
    return form, matched_by


def _values(form: Form, plan, usual: list, inputs: dict, sums: dict, reported: dict,
            literal_totals: set[CellKey]) -> dict[CellKey, Number]:
    """Every cell's number as the return states it: inputs as the workbook's sums count them, totals
    recomputed, and totals typed over kept as typed (the sum rules judge them)."""
    if len(usual) == len(plan.blocks):
        sums = inputs.copy()
    else:
        for br in usual:
            sums.update(zip(br.input_keys, map(inputs.__getitem__, br.input_keys)))
    values = recompute(form, sums)
    if literal_totals:
        for key in literal_totals:
            if reported.get(key) is not None:
                values[key] = reported[key]  # what the return claims; sum rules will judge it
        # totals computed from totals that were typed over must follow the typed values
        for d in form.derived_order:
            if d.cell not in literal_totals:
                values[d.cell] = clean_number(sum(values[t] for t in d.terms))
    return values


def _cached_findings(form: Form, reported: dict, values: dict, literal_totals: set[CellKey], problems: set[CellKey],
                     sources: dict, findings: list[Finding]) -> None:
    """G-CACHED: a total whose saved result is not what its formula gives (never trust a cached value)."""
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


def _expectations(ret: Return, expect_agency: str | None, expect_year: int | None, findings: list[Finding]) -> None:
    """Another agency's or another year's return than the caller expected."""
    if expect_agency and ret.agency_code != expect_agency:
        findings.append(finding("G-AGENCY", f"这份报表属于单位“{ret.agency_code or '未知'}”"
                                f"（{ret.agency_name}），不是预期的“{expect_agency}”", sheet=COVER_SHEET))
    if expect_year and ret.year != expect_year:
        findings.append(finding("G-YEAR", f"这份报表的年度是 {ret.year or '未知'}，不是预期的 {expect_year}",
                                sheet=COVER_SHEET))


def _read(book: RawBook, path: str, sha: str, form_arg, expect_agency, expect_year) -> Return:
    findings: list[Finding] = []
    ident = read_identity(book)
    form, matched_by = _form_of(ident, form_arg, path, findings)
    index = Index(book)
    plan = form_read(form)
    inputs: dict[CellKey, Number | None] = {}
    reported: dict[CellKey, Number | None] = {}
    literal_totals: set[CellKey] = set()
    sources: dict[CellKey, tuple[str, str]] = {}
    sums: dict[CellKey, Number] = {}  # what the workbook's sums count for each input (values.classify)
    problems: set[CellKey] = set()  # inputs that are not valid values

    found_any = False
    missing_blocks: list[str] = []
    imported = ident.get("kind") == "imported"
    rollup = ident.get("kind") == "rollup"
    total_by = "labels" if imported else matched_by
    usual: list[BlockRead] = []  # blocks read at once: their inputs are their sums
    for br in plan.blocks:
        sname, sl, block = br.sheet, br.layout, br.block
        where = locate(book, index, sname, sl, block, br.labels, matched_by, findings)
        if where is None:
            missing_blocks.append(f"{sl.name}·{block.table.title or block.table.id}")
            continue
        found_any = True
        wsname, dr, dc = where
        raw = book.sheet(wsname)
        assert raw is not None
        vals, extra = raw.values, raw.extra
        dates = date_cells(book, wsname)
        if not dr and not dc and wsname == sname:
            sources.update(br.sources)
            if not dates and br.read_usual(vals, extra, total_by == "identity", inputs, reported):
                usual.append(br)
                continue
            cells = br.cells
        else:  # moved, or on a renamed sheet
            cells = []
            for key, (r, c), _ref, kind, is_total in br.cells:
                ref = a1(r + dr, c + dc)
                cells.append((key, (r + dr, c + dc), ref, kind, is_total))
                sources[key] = (wsname, ref)
        for key, pos, ref, kind, is_total in cells:
            v = vals.get(pos)
            if v is not None:  # a bare value: nearly every input
                if is_total:
                    _read_total(form, key, RawCell(v, TYPE_OF[v.__class__]), kind, wsname, ref, total_by,
                                plan, reported, literal_totals, findings)
                elif v.__class__ is float and kind == COUNT and 0.0 <= v <= MAX_VALUE and v.is_integer() \
                        and pos not in dates:
                    inputs[key] = sums[key] = int(v)  # the common case
                else:
                    _read_input(form, key, v, TYPE_OF[v.__class__], None, kind, pos in dates, wsname, ref,
                                rollup, inputs, sums, problems, findings)
                continue
            cell = extra.get(pos)
            if is_total:
                _read_total(form, key, cell, kind, wsname, ref, total_by, plan, reported, literal_totals, findings)
            elif cell is None:
                inputs[key] = None
            else:
                _read_input(form, key, cell.value, cell.type, cell, kind, cell.type == "n" and pos in dates,
                            wsname, ref, rollup, inputs, sums, problems, findings)
    if not found_any or (matched_by == "labels" and missing_blocks):
        what = "、".join(missing_blocks[:6])
        raise ReadError(f"{path}：不是本系统的填报模板，也无法按表格标签识别（找不到：{what}）。"
                        f"请使用下发的模板填写，不要复制到新文件中", code="READ_UNRECOGNISED", path=path)
    if matched_by == "labels":
        findings.insert(0, finding("G-NO-IDENTITY", "工作簿没有 gkxl 标识（可能是把表格复制到了新文件），已按表格标签识别；"
                                   "请尽量使用下发的模板", sheet=""))

    values = _values(form, plan, usual, inputs, sums, reported, literal_totals)
    if matched_by == "identity" and list(reported.values()) != list(map(values.__getitem__, reported)):
        _cached_findings(form, reported, values, literal_totals, problems, sources, findings)

    texts = read_texts(book, form, index)
    cover = read_cover(book, form, index)
    structure_findings(book, form, form.plan.layouts, matched_by, findings)
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
    _expectations(ret, expect_agency, expect_year, findings)
    return ret


def _read_input(form: Form, key: CellKey, value_raw: object, typ: str, cell: RawCell | None, kind: str,
                is_date: bool, wsname: str, ref: str, rollup: bool, inputs: dict, sums: dict, problems: set,
                findings: list[Finding]) -> None:
    """An input cell other than a valid count: an amount, a formula, or a value that is not valid."""
    cv = classify(value_raw, kind, typ, is_date, form.decimals_of(kind))
    if cell is not None and cell.has_formula and not (rollup and typ == "n"):
        if typ in ("n", "s", "b", "e") and value_raw is not None:
            findings.append(finding("V-INPUT-FORMULA", f"{form.label_of(key)}：填报单元格中是公式“={cell.formula}”，"
                                    "已取其计算结果", sheet=wsname, cell=ref, severity=Severity.INFO))
        else:
            findings.append(finding("V-INPUT-FORMULA", f"{form.label_of(key)}：填报单元格中是公式“={cell.formula}”，"
                                    "且没有计算结果", sheet=wsname, cell=ref))
            inputs[key] = None
            problems.add(key)
            return
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


def _read_total(form: Form, key: CellKey, cell: RawCell | None, kind: str, sheet: str, ref: str, matched_by: str,
                plan: FormRead, reported: dict, literal_totals: set, findings: list[Finding]) -> None:
    if cell is None or (cell.value is None and not cell.has_formula):
        reported[key] = None
        if matched_by == "identity":
            findings.append(finding("G-FORMULA-REPLACED", f"{form.label_of(key)}：合计公式被删除",
                                    sheet=sheet, cell=ref, advice="请使用下发的模板重新填写。"))
        return
    x = cell.value
    if not cell.has_formula:
        v, problem, _ = parse_number(x, kind, form.decimals_of(kind))
        literal_totals.add(key)
        reported[key] = v
        if matched_by == "identity":
            shown = _raw_text(clean_number(x)) if isinstance(x, float) and in_range(x) else _raw_text(x)
            findings.append(finding("G-FORMULA-REPLACED", f"{form.label_of(key)}：合计单元格的公式被替换为数字 {shown}",
                                    sheet=sheet, cell=ref, values={"found": x},
                                    advice="合计由公式自动计算，请使用下发的模板，不要改动合计单元格。"))
        elif problem:
            findings.append(finding("V-NUMBER", f"{form.label_of(key)}：{problem}", sheet=sheet, cell=ref))
        return
    reported[key] = clean_number(x) if cell.type == "n" and x.__class__ is float and in_range(x) else None
    if matched_by != "identity":
        return
    f = cell._formula  # as the scan kept it: checked bytes, or text
    if not f:
        return  # no formula text (a shared formula's child cell)
    raw = plan.expected_raw.get(key)
    if raw is not None and f == raw[f.__class__ is bytes]:
        return  # exactly as written: the usual case
    expected = plan.expected.get(key, "")
    if cell.formula and _formula_norm(cell.formula) != expected:
        findings.append(finding("G-FORMULA-CHANGED", f"{form.label_of(key)}：合计公式被改为“={cell.formula}”，应为“={expected}”",
                                sheet=sheet, cell=ref, values={"found": cell.formula, "expected": expected}))


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
