"""Write a form as a locked workbook with xlsxwriter.

One writer for every workbook gkxl makes: a blank template, a personalised
one (agency, year, last year's carry-over filled and locked), a sample
return, and a roll-up (all values filled and locked). Only input cells are
unlocked; every total is a formula with its cached value; every rule of the
form that can be checked inside the workbook turns its cells red and is
counted in the status line at the top of the sheet.

The pieces live beside it: write_rules (formula text of the live checks and status lines),
write_book (Fill, formats, the locked workbook, one workbook's writing state), write_tables (the
form's table sheets, planned once per form) and write_sheets (instructions, cover, text sections,
the very hidden meta sheet). Every name importers use is importable from here, as before.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from .. import __version__
from ..errors import OutputError, os_reason
from ..form import CellKey, Form, load_form
from ..form.compute import Number, recompute
from ..form.layout import META_SHEET, TEXT_SHEET, sheet_layouts, sum_formula  # noqa: F401  (sum_formula: importers)
from ..roster import Agency
from .write_book import (COMMENT_OPTIONS, COUNT_COL, COUNT_ROW0, FORMATS, GENERAL_NAME, GENERAL_REF,  # noqa: F401
                         HELPER_COL0, RULE_COL, TEXT_FONT, Fill, Formats, _encode_password, _LockedWorkbook,
                         _protect_structure, _Sheet, _Writer, atomic_write, page_header)
from .write_rules import (PASS_TEXT, PASS_WARN, STATUS_CELL, _Refs, _rect_ref, _rects, _ranges,  # noqa: F401
                          jump_condition, parse_status, rule_condition, status_formula, status_text)
from .write_sheets import (BLIND_NOTE, GENERIC_INSTRUCTIONS, INSTRUCTIONS_WIDTH, SIGNATURES,  # noqa: F401
                           TEXT_COL_WIDTH, cover, instructions, meta_sheet, text_height, text_sheet)
from .write_tables import GENERIC_PROMPTS, prompts_of, table_plan, table_sheet  # noqa: F401


__all__ = [  # the public names, as importers have used them from gkxl.workbook.write (and gkxl.template)
    "Fill", "render_workbook", "write_workbook", "write_template", "write_templates", "prefill_from_prior",
    "identity_meta", "atomic_write", "parse_status", "status_text", "status_formula", "rule_condition",
    "jump_condition", "page_header", "text_height", "prompts_of", "sum_formula", "table_plan",
    "PASS_TEXT", "PASS_WARN", "STATUS_CELL", "BLIND_NOTE", "SIGNATURES", "COMMENT_OPTIONS", "GENERIC_INSTRUCTIONS",
    "GENERIC_PROMPTS", "TEXT_COL_WIDTH", "INSTRUCTIONS_WIDTH", "TEXT_FONT", "COUNT_ROW0", "COUNT_COL", "RULE_COL",
    "HELPER_COL0", "GENERAL_REF", "GENERAL_NAME", "FORMATS", "Formats",
]
# private names of the old single module stay importable from here too (tests import _encode_password)
_OLD_PRIVATE = (_encode_password, _protect_structure, _LockedWorkbook, _Sheet, _Writer, _Refs, _rects, _rect_ref,
                _ranges)


def prefill_from_prior(form: Form, prior: Mapping[CellKey, Number]) -> tuple[dict[CellKey, Number], set[CellKey]]:
    """Inputs that last year's return determines exactly (compare rules of the
    form 'this-year cell == prior cell'), to be filled and locked."""
    values: dict[CellKey, Number] = {}
    for inst in form.compare_instances:
        if inst.rule.op != "==" or inst.rule.severity != "error":
            continue
        if (len(inst.left) == 1 and not inst.left[0].prior and inst.left[0].coef == 1
                and len(inst.right) == 1 and inst.right[0].prior and inst.right[0].coef == 1
                and inst.left[0].cell in form.input_cells):
            values[inst.left[0].cell] = prior.get(inst.right[0].cell) or 0
    return values, set(values)



def identity_meta(form: Form, year: int | None, agency: Agency | None, book_kind: str,
                  extra: Mapping[str, str] | None = None) -> dict[str, str]:
    meta = {
        "gkxl": "1",
        "generator": f"gkxl {__version__}",
        "form_id": form.id,
        "form_version": form.version,
        "fingerprint": form.fingerprint,
        "kind": book_kind,
        "year": str(year or ""),
        "agency_code": agency.code if agency else "",
        "agency_name": agency.name if agency else "",
        "region": agency.region if agency else "",
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }
    meta.update(extra or {})
    return meta


def render_workbook(form: Form, *, year: int | None = None, agency: Agency | None = None,
                    fill: Fill | None = None, kind: str = "template") -> bytes:
    """The workbook as bytes (see write_workbook). `kind` is the workbook's kind: template, return,
    rollup or imported (book_kind inside, to keep it apart from a cell's kind)."""
    fill = fill or Fill()
    book_kind = kind
    buf = io.BytesIO()
    wb = _LockedWorkbook(buf, {"in_memory": True, "strings_to_formulas": False,
                               "strings_to_numbers": False, "strings_to_urls": False})
    wb.lock_password = form.password
    meta = identity_meta(form, year, agency, book_kind, fill.meta)
    _properties(wb, form, year, agency, meta)
    w = _Writer(form, wb, fill, book_kind, agency, year)
    instructions(w)
    # the cover comes second but shows every sheet's status: write the table
    # sheets into their positions after computing their cached statuses
    cover_ws_index = len(wb.worksheets())
    statuses: list[tuple[str, str]] = []
    for sl in sheet_layouts(form).values():
        statuses.append((sl.name, table_sheet(w, sl)))
    statuses.append((TEXT_SHEET, text_sheet(w)))
    cover(w, statuses)
    # move the cover to second place
    sheets = wb.worksheets_objs
    cover_ws = sheets.pop()
    sheets.insert(cover_ws_index, cover_ws)
    for extra in fill.extra_sheets:
        extra(wb, w)
    meta_sheet(w, meta)
    wb.define_name(GENERAL_NAME, f"='{META_SHEET}'!{GENERAL_REF}")
    for i, ws in enumerate(wb.worksheets_objs):
        ws.index = i
        ws.selected = 0
    # it opens on the cover, the one selected tab (activeTab and tabSelected agree)
    cover_ws.selected = 1
    cover_ws.hidden = 0
    wb.worksheet_meta.activesheet = cover_ws.index
    wb.close()
    return buf.getvalue() if wb.hooked else _protect_structure(buf.getvalue(), form.password)


def _properties(wb, form: Form, year: int | None, agency: Agency | None, meta: dict[str, str]) -> None:
    """Document properties, and the identity as custom properties gkxl_*."""
    props = {"title": f"{form.title}（{year or ''}）", "subject": form.basis,
             "author": "gkxl", "company": agency.name if agency else "",
             "comments": "由 gkxl 生成，请勿修改表格结构。"}
    try:  # a fixed creation time gives reproducible files (samples, roll-ups under test)
        props["created"] = datetime.fromisoformat(meta["created_at"]).replace(tzinfo=None)
    except (KeyError, ValueError):
        pass
    wb.set_properties(props)
    for k, v in meta.items():
        wb.set_custom_property(f"gkxl_{k}", v)


def write_workbook(path: str | os.PathLike, form: Form | str | None = None, *, year: int | None = None,
                   agency: Agency | None = None, fill: Fill | None = None, kind: str = "template") -> Path:
    """Write one workbook of the form, atomically; returns its path."""
    form = load_form(form) if not isinstance(form, Form) else form
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise OutputError(f"输出文件 {p} 应以 .xlsx 结尾", code="OUTPUT_NAME", path=str(p))
    atomic_write(p, render_workbook(form, year=year, agency=agency, fill=fill, kind=kind))
    return p


def write_template(path: str | os.PathLike, form: Form | str | None = None, *, year: int | None = None,
                   agency: Agency | None = None, prior: Mapping[CellKey, Number] | None = None) -> Path:
    """A template for one agency: with last year's values, the carry-over is filled and locked."""
    form = load_form(form) if not isinstance(form, Form) else form
    fill = Fill()
    if prior is not None:
        prior = recompute(form, prior)
        values, locked = prefill_from_prior(form, prior)
        fill = Fill(values=dict(values), locked=locked, prior=dict(prior))
    return write_workbook(path, form, year=year, agency=agency, fill=fill, kind="template")


def _template_job(args: tuple) -> str:
    path, form_path, year, agency, prior = args
    write_template(path, load_form(form_path), year=year, agency=agency, prior=prior)
    return str(path)


def write_templates(roster, out_dir: str | os.PathLike, form: Form | str | None = None, *,
                    year: int | None = None, priors: Mapping[str, Mapping[CellKey, Number]] | None = None,
                    jobs: int | None = None, progress=None) -> list[Path]:
    """One template per department of the roster, named CODE.xlsx, in parallel.

    `priors` maps an agency code to last year's values for that agency.
    `progress`, if given, is called once per finished workbook.
    """
    from ..files.parallel import run_jobs

    form = load_form(form) if not isinstance(form, Form) else form
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建输出目录 {out}：{os_reason(e)}", code="OUTPUT_IO", path=str(out)) from None
    tasks = [(out / f"{a.code}.xlsx", form.path, year, a, (priors or {}).get(a.code)) for a in roster]
    done = run_jobs(_template_job, tasks, jobs=jobs, progress=progress)
    return [Path(p) for p in done]
