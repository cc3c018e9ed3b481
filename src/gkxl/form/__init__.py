"""The form definition: load a TOML file from `workbook_templates/`, check it,
and expand its compact references into concrete cells.

Nothing about any particular year's format lives in Python: the writer, the
reader, the checks and the roll-up only ever see a `Form`.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from ..errors import FormError, os_reason

CellKey = tuple[str, str, str]  # (table, row, column)

CELL_KINDS = ("count", "amount")
RULE_KINDS = ("compare", "all_zero", "jump", "requires_text")
SEVERITIES = ("error", "warning")
OPS = ("==", "<=", ">=")


@dataclass(frozen=True)
class Axis:
    """A row or a column of a table."""

    id: str
    labels: tuple[str, ...]
    short: str
    kind: str | None = None


@dataclass(frozen=True)
class Table:
    id: str
    sheet: str
    title: str
    corner: str
    kind: str
    rows: tuple[Axis, ...]
    columns: tuple[Axis, ...]

    def row_ids(self) -> list[str]:
        return [r.id for r in self.rows]

    def col_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    def cell_kind(self, row: str, col: str) -> str:
        r = next(a for a in self.rows if a.id == row)
        c = next(a for a in self.columns if a.id == col)
        return c.kind or r.kind or self.kind


@dataclass(frozen=True)
class Sheet:
    id: str
    name: str
    title: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Derived:
    """One derived cell: the sum of `terms`, checked by rule `rule`."""

    cell: CellKey
    terms: tuple[CellKey, ...]
    rule: str
    message: str


@dataclass(frozen=True)
class Term:
    coef: int
    cell: CellKey
    prior: bool = False


@dataclass(frozen=True)
class RuleInstance:
    """A compare rule applied to one row or column: sum(left) op sum(right)."""

    rule: "Rule"
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    where: str  # the label of the row/column the instance applies to ('' if none)

    @property
    def uses_prior(self) -> bool:
        return any(t.prior for t in self.left + self.right)

    @property
    def cells(self) -> list[CellKey]:
        return [t.cell for t in self.left + self.right if not t.prior]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    message: str
    advice: str = ""
    op: str = "=="
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    keyword: str = ""
    ratio: float = 10.0
    min_value: float = 20.0


@dataclass(frozen=True)
class Field:
    """A cover field or a text section."""

    id: str
    label: str
    source: str = ""
    required: bool = False
    hint: str = ""


@dataclass(eq=False)
class Form:
    id: str
    version: str
    title: str
    basis: str
    report_title: str
    password: str
    cover: tuple[Field, ...]
    sheets: tuple[Sheet, ...]
    texts: tuple[Field, ...]
    rules: tuple[Rule, ...]
    derived: dict[CellKey, Derived]
    extra_sum_rules: tuple[Derived, ...]
    path: str = ""
    tables: dict[str, Table] = field(default_factory=dict)
    # the words around the tables, also data: a form file says them, the engine only places them
    instructions: tuple[tuple[str, str], ...] = ()  # the 填报说明 sheet: (text, title | h | p)
    prompts: dict[str, dict[str, str]] = field(default_factory=dict)  # cell kind -> input/error messages
    rollup_texts: dict[str, str] = field(default_factory=dict)  # text id -> what a roll-up writes there
    sample_texts: dict[str, str] = field(default_factory=dict)  # text id -> example text (demo, tests)

    # ---- the compiled plan: positions, labels, formulas (see form/plan.py)
    @cached_property
    def plan(self):
        from .plan import Plan
        return Plan(self)

    # ---- cells
    @cached_property
    def cells(self) -> list[CellKey]:
        """Every data cell of every table, in layout order."""
        out = []
        for sh in self.sheets:
            for t in sh.tables:
                for r in t.rows:
                    for c in t.columns:
                        out.append((t.id, r.id, c.id))
        return out

    @cached_property
    def input_cells(self) -> list[CellKey]:
        return [k for k in self.cells if k not in self.derived]

    @cached_property
    def derived_order(self) -> list[Derived]:
        """Derived cells in an order where every term is computed before use."""
        done: set[CellKey] = set()
        order: list[Derived] = []
        pending = dict(self.derived)
        while pending:
            progressed = False
            for key, d in list(pending.items()):
                if all(t not in pending or t == key for t in d.terms):
                    if key in d.terms:
                        raise FormError(f"表单 {self.path}：合计单元格 {key} 引用了自身", code="FORM_CYCLE")
                    order.append(d)
                    done.add(key)
                    del pending[key]
                    progressed = True
            if not progressed:
                raise FormError(f"表单 {self.path}：合计单元格之间存在循环引用：{sorted(pending)}",
                                code="FORM_CYCLE")
        return order

    @cached_property
    def kinds(self) -> dict[CellKey, str]:
        return {k: self.tables[k[0]].cell_kind(k[1], k[2]) for k in self.cells}

    def kind_of(self, key: CellKey) -> str:
        return self.kinds[key]

    def label_of(self, key: CellKey) -> str:
        """A short human name for a cell: '三、依申请公开·（一）予以公开·自然人'."""
        t = self.tables[key[0]]
        r = next(a for a in t.rows if a.id == key[1])
        c = next(a for a in t.columns if a.id == key[2])
        parts = [p for p in (r.short, c.short) if p]
        if t.title:
            parts.insert(0, t.title)
        return "·".join(parts)

    @cached_property
    def compare_instances(self) -> list[RuleInstance]:
        out: list[RuleInstance] = []
        for rule in self.rules:
            if rule.kind == "compare":
                out.extend(expand_compare(self, rule))
        return out

    @cached_property
    def fingerprint(self) -> str:
        """A hash of everything a reader relies on: labels, cells, formulas."""
        payload = {
            "id": self.id, "version": self.version,
            "sheets": [[s.name, [[t.id, t.title, t.corner, [[r.id, r.labels] for r in t.rows],
                                  [[c.id, c.labels] for c in t.columns]] for t in s.tables]]
                       for s in self.sheets],
            "derived": sorted([list(k), [list(x) for x in d.terms]] for k, d in self.derived.items()),
            "texts": [[t.id, t.label] for t in self.texts],
            "cover": [[c.id, c.label] for c in self.cover],
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def text(self, text_id: str) -> Field:
        return next(t for t in self.texts if t.id == text_id)


# ---------------------------------------------------------------- references

def _axis_span(axis: list[str], spec: str, what: str, ctx: str) -> list[str]:
    if spec == "*":
        return list(axis)
    if ".." in spec:
        a, b = spec.split("..", 1)
        if a not in axis or b not in axis:
            raise FormError(f"{ctx}：范围“{spec}”中的{what}不存在", code="FORM_REF")
        i, j = axis.index(a), axis.index(b)
        if i > j:
            raise FormError(f"{ctx}：范围“{spec}”首尾颠倒", code="FORM_REF")
        return axis[i:j + 1]
    if spec not in axis:
        raise FormError(f"{ctx}：{what}“{spec}”不存在", code="FORM_REF")
    return [spec]


@dataclass(frozen=True)
class Ref:
    """A parsed reference pattern like '-prior:t3.new.*'."""

    coef: int
    prior: bool
    table: str
    row: str
    col: str

    @property
    def wild_row(self) -> bool:
        return self.row == "*"

    @property
    def wild_col(self) -> bool:
        return self.col == "*"


def parse_ref(text: str, tables: dict[str, Table], ctx: str) -> Ref:
    s = text.strip()
    coef = 1
    if s.startswith("-"):
        coef, s = -1, s[1:].strip()
    prior = False
    if s.startswith("prior:"):
        prior, s = True, s[len("prior:"):]
    parts = s.split(".")
    # a range "a..b" splits into an empty middle part; glue it back
    glued: list[str] = []
    i = 0
    while i < len(parts):
        if i + 2 < len(parts) and parts[i + 1] == "":
            glued.append(parts[i] + ".." + parts[i + 2])
            i += 3
        else:
            glued.append(parts[i])
            i += 1
    if len(glued) != 3:
        raise FormError(f"{ctx}：引用“{text}”应写作 表.行.列", code="FORM_REF")
    table, row, col = glued
    if table not in tables:
        raise FormError(f"{ctx}：引用“{text}”中的表“{table}”不存在", code="FORM_REF")
    return Ref(coef, prior, table, row, col)


def _expand(ref: Ref, tables: dict[str, Table], ctx: str, row: str | None = None,
            col: str | None = None) -> list[CellKey]:
    t = tables[ref.table]
    rows = [row] if (ref.row == "*" and row is not None) else _axis_span(t.row_ids(), ref.row, "行", ctx)
    cols = [col] if (ref.col == "*" and col is not None) else _axis_span(t.col_ids(), ref.col, "列", ctx)
    for r in rows:
        if r not in t.row_ids():
            raise FormError(f"{ctx}：表“{t.id}”没有行“{r}”", code="FORM_REF")
    for c in cols:
        if c not in t.col_ids():
            raise FormError(f"{ctx}：表“{t.id}”没有列“{c}”", code="FORM_REF")
    return [(t.id, r, c) for r in rows for c in cols]


def _iteration(refs: list[Ref], tables: dict[str, Table], ctx: str) -> tuple[str, list[str], str]:
    """Which axis a '*' ranges over: ('row'|'col'|'', the ids, the table)."""
    wild = [r for r in refs if r.wild_row or r.wild_col]
    if not wild:
        return "", [""], ""
    axes = {("row" if r.wild_row else "col") for r in wild}
    if any(r.wild_row and r.wild_col for r in wild) or len(axes) > 1:
        raise FormError(f"{ctx}：一条规则只能在行或列之一上使用“*”", code="FORM_REF")
    axis = axes.pop()
    t = tables[wild[0].table]
    ids = t.row_ids() if axis == "row" else t.col_ids()
    for r in wild:
        other = tables[r.table]
        other_ids = other.row_ids() if axis == "row" else other.col_ids()
        if other_ids != ids:
            raise FormError(f"{ctx}：“*”所在的表行列不一致", code="FORM_REF")
    return axis, ids, t.id


def expand_compare(form: Form, rule: Rule) -> list[RuleInstance]:
    ctx = f"表单 {form.path} 规则 {rule.id}"
    left = [parse_ref(x, form.tables, ctx) for x in rule.left]
    right = [parse_ref(x, form.tables, ctx) for x in rule.right]
    axis, ids, table = _iteration(left + right, form.tables, ctx)
    out = []
    for item in ids:
        kw = {"row": item} if axis == "row" else {"col": item} if axis == "col" else {}

        def terms(refs: list[Ref]) -> tuple[Term, ...]:
            res = []
            for r in refs:
                for key in _expand(r, form.tables, ctx, **kw):
                    res.append(Term(r.coef, key, r.prior))
            return tuple(res)

        where = ""
        if axis:
            t = form.tables[table]
            ax = t.rows if axis == "row" else t.columns
            where = next(a.short for a in ax if a.id == item)
        out.append(RuleInstance(rule, terms(left), terms(right), where))
    return out


def expand_cells(form_tables: dict[str, Table], patterns: Iterable[str], ctx: str) -> list[CellKey]:
    out: list[CellKey] = []
    for p in patterns:
        ref = parse_ref(p, form_tables, ctx)
        out.extend(_expand(ref, form_tables, ctx))
    return out


# ---------------------------------------------------------------- loading

def _req(d: dict, key: str, typ: type | tuple, ctx: str) -> Any:
    if key not in d:
        raise FormError(f"{ctx}：缺少必填项“{key}”", code="FORM_SCHEMA")
    v = d[key]
    if not isinstance(v, typ):
        raise FormError(f"{ctx}：“{key}”的类型不对", code="FORM_SCHEMA")
    return v


def _opt(d: dict, key: str, typ: type | tuple, default: Any, ctx: str) -> Any:
    v = d.get(key, default)
    if not isinstance(v, typ):
        raise FormError(f"{ctx}：“{key}”的类型不对", code="FORM_SCHEMA")
    return v


def _check_keys(d: dict, allowed: set[str], ctx: str) -> None:
    unknown = set(d) - allowed
    if unknown:
        raise FormError(f"{ctx}：未知的项 {sorted(unknown)}", code="FORM_SCHEMA")


def _axis(d: Any, ctx: str) -> Axis:
    if not isinstance(d, dict):
        raise FormError(f"{ctx}：应为表（{{ id = …, labels = […] }}）", code="FORM_SCHEMA")
    _check_keys(d, {"id", "labels", "short", "kind"}, ctx)
    aid = _req(d, "id", str, ctx)
    labels = _req(d, "labels", list, ctx)
    if not all(isinstance(x, str) and x for x in labels):
        raise FormError(f"{ctx}：labels 应为非空文字的列表", code="FORM_SCHEMA")
    kind = _opt(d, "kind", (str, type(None)), None, ctx)
    if kind is not None and kind not in CELL_KINDS:
        raise FormError(f"{ctx}：未知的单元格类型“{kind}”", code="FORM_SCHEMA")
    short = _opt(d, "short", str, labels[-1] if labels else aid, ctx)
    return Axis(aid, tuple(labels), short, kind)


def parse_form(data: dict, path: str = "") -> Form:
    """Build and check a Form from already-parsed TOML data."""
    ctx = f"表单文件 {path}"
    _check_keys(data, {"form", "cover", "sheets", "texts", "rules", "workbook", "prompts", "rollup", "samples"}, ctx)
    head = _req(data, "form", dict, ctx)
    _check_keys(head, {"id", "version", "title", "basis", "report_title", "protection_password"}, ctx + " [form]")
    tables: dict[str, Table] = {}
    sheets: list[Sheet] = []
    derived: dict[CellKey, Derived] = {}
    extra: list[Derived] = []
    sheet_names: set[str] = set()
    raw_derived: list[tuple[dict, str]] = []
    for i, sd in enumerate(_req(data, "sheets", list, ctx)):
        sctx = f"{ctx} 第 {i + 1} 个 [[sheets]]"
        _check_keys(sd, {"id", "name", "title", "tables"}, sctx)
        name = _req(sd, "name", str, sctx)
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\") or name in sheet_names:
            raise FormError(f"{sctx}：工作表名“{name}”不合规或重复", code="FORM_SCHEMA")
        sheet_names.add(name)
        tlist = []
        for j, td in enumerate(_req(sd, "tables", list, sctx)):
            tctx = f"{sctx} 第 {j + 1} 张表"
            _check_keys(td, {"id", "title", "corner", "kind", "columns", "rows", "derived"}, tctx)
            tid = _req(td, "id", str, tctx)
            if tid in tables:
                raise FormError(f"{tctx}：表 id“{tid}”重复", code="FORM_SCHEMA")
            kind = _opt(td, "kind", str, "count", tctx)
            if kind not in CELL_KINDS:
                raise FormError(f"{tctx}：未知的单元格类型“{kind}”", code="FORM_SCHEMA")
            cols = tuple(_axis(c, f"{tctx} 列") for c in _req(td, "columns", list, tctx))
            rows = tuple(_axis(r, f"{tctx} 行") for r in _req(td, "rows", list, tctx))
            if not cols or not rows:
                raise FormError(f"{tctx}：至少要有一行一列", code="FORM_SCHEMA")
            for axis in (cols, rows):
                ids = [a.id for a in axis]
                if len(set(ids)) != len(ids):
                    raise FormError(f"{tctx}：行或列的 id 重复", code="FORM_SCHEMA")
            t = Table(tid, name, _opt(td, "title", str, "", tctx), _opt(td, "corner", str, "", tctx),
                      kind, rows, cols)
            tables[tid] = t
            tlist.append(t)
            for dd in _opt(td, "derived", list, [], tctx):
                raw_derived.append((dd, tctx))
        sheets.append(Sheet(_req(sd, "id", str, sctx), name, _opt(sd, "title", str, name, sctx), tuple(tlist)))

    for dd, tctx in raw_derived:
        dctx = f"{tctx} derived {dd.get('rule', '?')}"
        _check_keys(dd, {"rule", "message", "cells", "sum"}, dctx)
        rule_id = _req(dd, "rule", str, dctx)
        target = parse_ref(_req(dd, "cells", str, dctx), tables, dctx)
        sums = [parse_ref(x, tables, dctx) for x in _req(dd, "sum", list, dctx)]
        axis, ids, _ = _iteration([target] + sums, tables, dctx)
        for item in ids:
            kw = {"row": item} if axis == "row" else {"col": item} if axis == "col" else {}
            cells = _expand(target, tables, dctx, **kw)
            if len(cells) != 1:
                raise FormError(f"{dctx}：cells 每次只能指向一个单元格", code="FORM_REF")
            terms: list[CellKey] = []
            for s in sums:
                if s.coef != 1 or s.prior:
                    raise FormError(f"{dctx}：合计只能是本年单元格之和", code="FORM_REF")
                terms.extend(_expand(s, tables, dctx, **kw))
            d = Derived(cells[0], tuple(terms), rule_id, _opt(dd, "message", str, "合计不等于各项之和", dctx))
            if cells[0] in derived:
                extra.append(d)  # a second way to compute the same total: checked, not a formula
            else:
                derived[cells[0]] = d

    cover = []
    for k, cd in enumerate(_opt(data, "cover", list, [], ctx)):
        cctx = f"{ctx} 第 {k + 1} 个 [[cover]]"
        _check_keys(cd, {"id", "label", "source", "required", "hint"}, cctx)
        cover.append(Field(_req(cd, "id", str, cctx), _req(cd, "label", str, cctx),
                           _opt(cd, "source", str, "", cctx), _opt(cd, "required", bool, False, cctx),
                           _opt(cd, "hint", str, "", cctx)))
    texts = []
    for k, xd in enumerate(_opt(data, "texts", list, [], ctx)):
        xctx = f"{ctx} 第 {k + 1} 个 [[texts]]"
        _check_keys(xd, {"id", "label", "required", "hint"}, xctx)
        texts.append(Field(_req(xd, "id", str, xctx), _req(xd, "label", str, xctx), "",
                           _opt(xd, "required", bool, False, xctx), _opt(xd, "hint", str, "", xctx)))
    text_ids = {t.id for t in texts}

    rules = []
    seen = {d.rule for d in list(derived.values()) + extra}
    for k, rd in enumerate(_opt(data, "rules", list, [], ctx)):
        rctx = f"{ctx} 第 {k + 1} 条 [[rules]]"
        _check_keys(rd, {"id", "kind", "severity", "message", "advice", "op", "left", "right", "cells",
                         "when", "texts", "keyword", "ratio", "min_value"}, rctx)
        rid = _req(rd, "id", str, rctx)
        if rid in seen:
            raise FormError(f"{rctx}：规则 id“{rid}”重复", code="FORM_SCHEMA")
        seen.add(rid)
        kind = _req(rd, "kind", str, rctx)
        if kind not in RULE_KINDS:
            raise FormError(f"{rctx}：未知的规则类型“{kind}”", code="FORM_SCHEMA")
        sev = _opt(rd, "severity", str, "error", rctx)
        if sev not in SEVERITIES:
            raise FormError(f"{rctx}：severity 只能是 error 或 warning", code="FORM_SCHEMA")
        op = _opt(rd, "op", str, "==", rctx)
        if op not in OPS:
            raise FormError(f"{rctx}：op 只能是 {OPS}", code="FORM_SCHEMA")
        rule = Rule(rid, kind, sev, _req(rd, "message", str, rctx), _opt(rd, "advice", str, "", rctx), op,
                    tuple(_opt(rd, "left", list, [], rctx)), tuple(_opt(rd, "right", list, [], rctx)),
                    tuple(_opt(rd, "cells", list, [], rctx)), tuple(_opt(rd, "when", list, [], rctx)),
                    tuple(_opt(rd, "texts", list, [], rctx)), _opt(rd, "keyword", str, "", rctx),
                    float(_opt(rd, "ratio", (int, float), 10, rctx)),
                    float(_opt(rd, "min_value", (int, float), 20, rctx)))
        if kind == "compare" and (not rule.left or not rule.right):
            raise FormError(f"{rctx}：compare 规则需要 left 和 right", code="FORM_SCHEMA")
        for ref in rule.cells + rule.when:
            expand_cells(tables, [ref], rctx)
        for tx in rule.texts:
            if tx not in text_ids:
                raise FormError(f"{rctx}：文字部分“{tx}”不存在", code="FORM_REF")
        rules.append(rule)

    words = _words(data, ctx, {t.id for t in texts})
    form = Form(
        id=_req(head, "id", str, ctx + " [form]"),
        version=_req(head, "version", str, ctx + " [form]"),
        title=_opt(head, "title", str, "", ctx),
        basis=_opt(head, "basis", str, "", ctx),
        report_title=_opt(head, "report_title", str, "{agency}{year}年政府信息公开工作年度报告", ctx),
        password=_opt(head, "protection_password", str, "", ctx),
        cover=tuple(cover), sheets=tuple(sheets), texts=tuple(texts), rules=tuple(rules),
        derived=derived, extra_sum_rules=tuple(extra), path=path, tables=tables, **words,
    )
    form.derived_order  # noqa: B018 - raises on cycles
    form.compare_instances  # noqa: B018 - raises on bad references
    return form


PROMPT_KEYS = ("input_title", "input_message", "error_title", "error_message")


def _words(data: dict, ctx: str, text_ids: set[str]) -> dict:
    """The optional sections of words: [workbook] instructions, [prompts.<kind>], [rollup] texts, [samples] texts."""
    wb = _opt(data, "workbook", dict, {}, ctx)
    _check_keys(wb, {"instructions"}, ctx + " [workbook]")
    instructions = []
    for i, item in enumerate(_opt(wb, "instructions", list, [], ctx + " [workbook]")):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
                and item[1] in ("title", "h", "p")):
            raise FormError(f"{ctx} [workbook] instructions 第 {i + 1} 项应为 [文字, \"title\"|\"h\"|\"p\"]",
                            code="FORM_SCHEMA")
        instructions.append((item[0], item[1]))
    prompts: dict[str, dict[str, str]] = {}
    for kind, msgs in _opt(data, "prompts", dict, {}, ctx).items():
        pctx = f"{ctx} [prompts.{kind}]"
        if kind not in CELL_KINDS or not isinstance(msgs, dict):
            raise FormError(f"{pctx}：未知的单元格类型“{kind}”", code="FORM_SCHEMA")
        _check_keys(msgs, set(PROMPT_KEYS), pctx)
        prompts[kind] = {k: _req(msgs, k, str, pctx) for k in PROMPT_KEYS}
    out = {"instructions": tuple(instructions), "prompts": prompts}
    for section in ("rollup", "samples"):
        sec = _opt(data, section, dict, {}, ctx)
        _check_keys(sec, {"texts"}, f"{ctx} [{section}]")
        texts = _opt(sec, "texts", dict, {}, f"{ctx} [{section}]")
        for tid, text in texts.items():
            if tid not in text_ids or not isinstance(text, str):
                raise FormError(f"{ctx} [{section}] texts：文字部分“{tid}”不存在或不是文字", code="FORM_REF")
        out["rollup_texts" if section == "rollup" else "sample_texts"] = dict(texts)
    return out


def forms_dir() -> Path:
    """Where form files live, so one name (e.g. "gb2021") works from a wheel, a checkout or any cwd.

    First existing folder of: $GKXL_FORMS_DIR; the copy shipped in the installed package
    (gkxl/workbook_templates/, mapped from the repo's top-level folder by pyproject.toml);
    the repo's top-level workbook_templates/ (source tree, editable install); ./workbook_templates.
    """
    env = os.environ.get("GKXL_FORMS_DIR")
    if env:
        return Path(env)
    for cand in _FORM_DIRS + (os.path.join(os.getcwd(), "workbook_templates"),):
        if os.path.isdir(cand):
            return Path(cand)
    return Path(_FORM_DIRS[0])


_HERE = Path(__file__).resolve()
# Package data first: an installed wheel has no repo around it. In a source tree or an
# editable install that folder does not exist and the repo's own folder is used — the path,
# not importlib.resources, because setuptools' editable finder cannot import the mapped
# data package (it has no __init__.py) and a PYTHONPATH=src checkout must see its own files.
# .parent chains rather than .parents[2]: they cannot raise when gkxl sits near "/".
_PKG = _HERE.parent.parent  # src/gkxl (or site-packages/gkxl): this file is gkxl/form/__init__.py
_FORM_DIRS = (str(_PKG / "workbook_templates"),
              str(_PKG.parent.parent / "workbook_templates"))


_CACHE: dict[str, Form] = {}


def load_form_file(path: str | os.PathLike) -> Form:
    alias = str(path) if os.path.isabs(path) else None  # an absolute spelling seen before needs no resolve
    if alias in _CACHE:
        return _CACHE[alias]
    p = Path(path)
    key = str(p.resolve())
    if key not in _CACHE:
        try:
            raw = p.read_bytes()
        except OSError as e:
            raise FormError(f"无法读取表单文件 {p}：{os_reason(e)}", code="FORM_IO", path=str(p)) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise FormError(f"表单文件 {p} 不是 UTF-8 编码", code="FORM_SYNTAX", path=str(p)) from None
        except tomllib.TOMLDecodeError as e:
            raise FormError(f"表单文件 {p} 格式错误：{e}", code="FORM_SYNTAX", path=str(p)) from None
        _CACHE[key] = parse_form(data, str(p))
    if alias:
        _CACHE[alias] = _CACHE[key]
    return _CACHE[key]


_AVAILABLE: dict[tuple[str, float], dict[tuple[str, str], Path]] = {}
_BY_ID: dict[tuple[str, str | None], Form] = {}  # load_form by id, valid as long as the scan above
_LAST_SCAN: list = [0.0, None]  # (monotonic time, result): the folder is looked at once a second at most


def available_forms() -> dict[tuple[str, str], Path]:
    """(form id, version) -> file, for every form file in forms_dir() (cached per folder state)."""
    now = time.monotonic()
    where = (os.environ.get("GKXL_FORMS_DIR"), os.getcwd())
    if _LAST_SCAN[1] is not None and now - _LAST_SCAN[0] < 1.0 and _LAST_SCAN[2:] == [where]:
        return _LAST_SCAN[1]
    result = _available()
    _LAST_SCAN[:] = [now, result, where]
    _BY_ID.clear()
    return result


def _available() -> dict[tuple[str, str], Path]:
    d = forms_dir()
    try:
        key = (str(d), max([d.stat().st_mtime] + [p.stat().st_mtime for p in d.glob("*.toml")]))
    except OSError:
        key = (str(d), 0.0)
    if key not in _AVAILABLE:
        _AVAILABLE[key] = _scan_forms(d)
    return _AVAILABLE[key]


def _scan_forms(d: Path) -> dict[tuple[str, str], Path]:
    out: dict[tuple[str, str], Path] = {}
    if d.is_dir():
        for p in sorted(d.glob("*.toml")):
            try:
                with p.open("rb") as fh:
                    head = tomllib.load(fh).get("form", {})
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if isinstance(head.get("id"), str):
                out[(head["id"], str(head.get("version", "")))] = p
    return out


DEFAULT_FORM = "gb2021"


def load_form(form: str | os.PathLike | None = None, version: str | None = None) -> Form:
    """Load a form by id (newest version unless `version`), or by file path."""
    if isinstance(form, Form):
        return form
    name = str(form or DEFAULT_FORM)
    if name.endswith(".toml") or os.sep in name:
        return load_form_file(name)
    forms = available_forms()
    hit = _BY_ID.get((name, version))
    if hit is not None:
        return hit
    matches = sorted((v, p) for (fid, v), p in forms.items() if fid == name and (version is None or v == version))
    if not matches:
        known = "、".join(sorted({f"{fid}（{v}）" for fid, v in forms})) or "无"
        what = f"“{name}”" + (f" 版本 {version}" if version else "")
        raise FormError(f"未知的表单{what}；{forms_dir()} 中可用的表单：{known}", code="FORM_UNKNOWN")
    _BY_ID[(name, version)] = form_ = load_form_file(matches[-1][1])
    return form_
