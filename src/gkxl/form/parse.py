"""Build and check a Form from a parsed TOML file: every mistake is a FormError in Chinese."""

from __future__ import annotations

from typing import Any

from ..errors import FormError
from .model import (CELL_KINDS, OPS, RULE_KINDS, SEVERITIES, Axis, CellKey, Derived, Field, Form, Rule, Sheet,
                    Table)
from .refs import _expand, _iteration, expand_cells, parse_ref

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
