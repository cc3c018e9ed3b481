"""Build and check a Form from a parsed TOML file: every mistake is a FormError in Chinese."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import FormError
from .model import (CELL_KINDS, MAX_DECIMALS, OPS, RULE_KINDS, SEVERITIES, Axis, CellKey, Derived, Field, Form, Rule,
                    Sheet, Table)
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
    _check_keys(d, {"id", "labels", "short", "kind", "printed"}, ctx)
    aid = _req(d, "id", str, ctx)
    labels = _req(d, "labels", list, ctx)
    if not all(isinstance(x, str) and x for x in labels):
        raise FormError(f"{ctx}：labels 应为非空文字的列表", code="FORM_SCHEMA")
    kind = _opt(d, "kind", (str, type(None)), None, ctx)
    if kind is not None and kind not in CELL_KINDS:
        raise FormError(f"{ctx}：未知的单元格类型“{kind}”", code="FORM_SCHEMA")
    short = _opt(d, "short", str, labels[-1] if labels else aid, ctx)
    printed = _opt(d, "printed", list, [], ctx)
    if not all(isinstance(x, str) and x for x in printed) or (printed and not labels):
        raise FormError(f"{ctx}：printed 应为非空文字的列表（有 labels 时才可用）", code="FORM_SCHEMA")
    return Axis(aid, tuple(labels), short, kind, tuple(printed))


def parse_form(data: dict, path: str = "") -> Form:
    """Build and check a Form from already-parsed TOML data."""
    ctx = f"表单文件 {path}"
    extends = ""
    if isinstance(data.get("form"), dict) and "extends" in data["form"]:
        extends = _req(data["form"], "extends", str, ctx + " [form]")
        data = apply_extends(data, path)
    _check_keys(data, {"form", "cover", "sheets", "texts", "rules", "workbook", "prompts", "rollup", "samples",
                       "kinds"}, ctx)
    head = _req(data, "form", dict, ctx)
    _check_keys(head, {"id", "version", "title", "basis", "report_title", "protection_password", "years",
                       "variant"}, ctx + " [form]")
    years = _years(head.get("years"), ctx + " [form]")
    sheets, tables, raw_derived = _sheets(data, ctx)
    derived, extra = _derived(raw_derived, tables)
    cover = _fields(data, "cover", ctx, with_source=True)
    texts = _fields(data, "texts", ctx, with_source=False)
    rules = _rules(data, ctx, tables, {t.id for t in texts}, {d.rule for d in list(derived.values()) + extra})
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
        years=years, extends=extends, variant=_opt(head, "variant", str, "", ctx),
    )
    form.derived_order  # noqa: B018 - raises on cycles
    form.compare_instances  # noqa: B018 - raises on bad references
    return form


def _sheets(data: dict, ctx: str) -> tuple[list[Sheet], dict[str, Table], list[tuple[dict, str]]]:
    """[[sheets]] and their tables; the tables' [[derived]] entries are returned raw, to be read once
    every table is known (a total may sum cells of another table)."""
    tables: dict[str, Table] = {}
    sheets: list[Sheet] = []
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
            t = _table(td, name, tctx)
            if t.id in tables:
                raise FormError(f"{tctx}：表 id“{t.id}”重复", code="FORM_SCHEMA")
            tables[t.id] = t
            tlist.append(t)
            raw_derived += [(dd, tctx) for dd in _opt(td, "derived", list, [], tctx)]
        sheets.append(Sheet(_req(sd, "id", str, sctx), name, _opt(sd, "title", str, name, sctx), tuple(tlist)))
    return sheets, tables, raw_derived


def _table(td: dict, sheet_name: str, tctx: str) -> Table:
    _check_keys(td, {"id", "title", "corner", "kind", "columns", "rows", "derived"}, tctx)
    tid = _req(td, "id", str, tctx)
    value_kind = _opt(td, "kind", str, "count", tctx)
    if value_kind not in CELL_KINDS:
        raise FormError(f"{tctx}：未知的单元格类型“{value_kind}”", code="FORM_SCHEMA")
    cols = tuple(_axis(c, f"{tctx} 列") for c in _req(td, "columns", list, tctx))
    rows = tuple(_axis(r, f"{tctx} 行") for r in _req(td, "rows", list, tctx))
    if not cols or not rows:
        raise FormError(f"{tctx}：至少要有一行一列", code="FORM_SCHEMA")
    for axis in (cols, rows):
        ids = [a.id for a in axis]
        if len(set(ids)) != len(ids):
            raise FormError(f"{tctx}：行或列的 id 重复", code="FORM_SCHEMA")
    return Table(tid, sheet_name, _opt(td, "title", str, "", tctx), _opt(td, "corner", str, "", tctx),
                 value_kind, rows, cols)


def _derived(raw_derived: list[tuple[dict, str]], tables: dict[str, Table]) -> tuple[dict[CellKey, Derived],
                                                                                    list[Derived]]:
    """Totals: the first way to compute a cell becomes its formula; a second way is only checked."""
    derived: dict[CellKey, Derived] = {}
    extra: list[Derived] = []
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
                extra.append(d)
            else:
                derived[cells[0]] = d
    return derived, extra


def _fields(data: dict, section: str, ctx: str, *, with_source: bool) -> list[Field]:
    """[[cover]] (fields with a `source`: agency_name, year...) or [[texts]] (the report's text sections)."""
    out = []
    keys = {"id", "label", "required", "hint"} | ({"source"} if with_source else set())
    for k, fd in enumerate(_opt(data, section, list, [], ctx)):
        fctx = f"{ctx} 第 {k + 1} 个 [[{section}]]"
        _check_keys(fd, keys, fctx)
        out.append(Field(_req(fd, "id", str, fctx), _req(fd, "label", str, fctx),
                         _opt(fd, "source", str, "", fctx) if with_source else "",
                         _opt(fd, "required", bool, False, fctx), _opt(fd, "hint", str, "", fctx)))
    return out


def _rules(data: dict, ctx: str, tables: dict[str, Table], text_ids: set[str], seen: set[str]) -> list[Rule]:
    rules = []
    for k, rd in enumerate(_opt(data, "rules", list, [], ctx)):
        rctx = f"{ctx} 第 {k + 1} 条 [[rules]]"
        rule = _rule(rd, rctx)
        if rule.id in seen:
            raise FormError(f"{rctx}：规则 id“{rule.id}”重复", code="FORM_SCHEMA")
        seen.add(rule.id)
        for ref in rule.cells + rule.when:
            expand_cells(tables, [ref], rctx)
        for tx in rule.texts:
            if tx not in text_ids:
                raise FormError(f"{rctx}：文字部分“{tx}”不存在", code="FORM_REF")
        rules.append(rule)
    return rules


def _rule(rd: dict, rctx: str) -> Rule:
    _check_keys(rd, {"id", "kind", "severity", "message", "advice", "op", "left", "right", "cells",
                     "when", "texts", "keyword", "ratio", "min_value"}, rctx)
    rule_kind = _req(rd, "kind", str, rctx)
    if rule_kind not in RULE_KINDS:
        raise FormError(f"{rctx}：未知的规则类型“{rule_kind}”", code="FORM_SCHEMA")
    sev = _opt(rd, "severity", str, "error", rctx)
    if sev not in SEVERITIES:
        raise FormError(f"{rctx}：severity 只能是 error 或 warning", code="FORM_SCHEMA")
    op = _opt(rd, "op", str, "==", rctx)
    if op not in OPS:
        raise FormError(f"{rctx}：op 只能是 {OPS}", code="FORM_SCHEMA")
    rule = Rule(_req(rd, "id", str, rctx), rule_kind, sev, _req(rd, "message", str, rctx),
                _opt(rd, "advice", str, "", rctx), op,
                tuple(_opt(rd, "left", list, [], rctx)), tuple(_opt(rd, "right", list, [], rctx)),
                tuple(_opt(rd, "cells", list, [], rctx)), tuple(_opt(rd, "when", list, [], rctx)),
                tuple(_opt(rd, "texts", list, [], rctx)), _opt(rd, "keyword", str, "", rctx),
                float(_opt(rd, "ratio", (int, float), 10, rctx)),
                float(_opt(rd, "min_value", (int, float), 20, rctx)))
    if rule_kind == "compare" and (not rule.left or not rule.right):
        raise FormError(f"{rctx}：compare 规则需要 left 和 right", code="FORM_SCHEMA")
    return rule


PROMPT_KEYS = ("input_title", "input_message", "error_title", "error_message")


def _kinds(data: dict, ctx: str) -> dict[str, int]:
    """[kinds.<kind>] decimals = N: how precisely a value of the kind is written (a count: 0 only)."""
    out: dict[str, int] = {}
    for kind, spec in _opt(data, "kinds", dict, {}, ctx).items():
        kctx = f"{ctx} [kinds.{kind}]"
        if kind not in CELL_KINDS or not isinstance(spec, dict):
            raise FormError(f"{kctx}：未知的单元格类型“{kind}”", code="FORM_SCHEMA")
        _check_keys(spec, {"decimals"}, kctx)
        d = _req(spec, "decimals", int, kctx)
        if isinstance(d, bool) or not 0 <= d <= MAX_DECIMALS or (kind != "amount" and d != 0):
            whole = {"count": "件数只能是 0", "change": "增减数只能是 0"}.get(kind, "")
            raise FormError(f"{kctx}：decimals 应为 0 到 {MAX_DECIMALS} 的整数" + (f"（{whole}）" if whole else ""),
                            code="FORM_SCHEMA")
        out[kind] = d
    return out


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
    out = {"instructions": tuple(instructions), "prompts": prompts, "decimals": _kinds(data, ctx)}
    for section in ("rollup", "samples"):
        sec = _opt(data, section, dict, {}, ctx)
        _check_keys(sec, {"texts"}, f"{ctx} [{section}]")
        texts = _opt(sec, "texts", dict, {}, f"{ctx} [{section}]")
        for tid, text in texts.items():
            if tid not in text_ids or not isinstance(text, str):
                raise FormError(f"{ctx} [{section}] texts：文字部分“{tid}”不存在或不是文字", code="FORM_REF")
        out["rollup_texts" if section == "rollup" else "sample_texts"] = dict(texts)
    return out


def _years(v: Any, ctx: str) -> tuple[int, int] | None:
    """`years = [first, last]`: the report years a form is for (chosen by the report importer)."""
    if v is None:
        return None
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
            and v[0] <= v[1]):
        raise FormError(f"{ctx}：years 应为 [起始年度, 截止年度]", code="FORM_SCHEMA")
    return (v[0], v[1])


# ---------------------------------------------------------------- printed variants: `extends`
# A variant form names the form it varies (`[form] extends = "gb2021"`) and says only what
# differs: [form] keys, whole sections it replaces (cover, sheets, texts, rules, words), and
# [[replace_rows]] (rows printed as one: `table`, the `rows` ids, `with` = the printed rows).
# References to replaced rows are rewritten: a range ending on one ends on the printed row,
# a reference to one alone is dropped (a rule left without cells is dropped with it).

_MAX_EXTENDS = 4
_REF = re.compile(r"^(?P<sign>-?\s*)(?P<prior>prior:)?(?P<table>[^.]+)\.(?P<row>.+)\.(?P<col>[^.]+)$")


def _find_base(form_id: str, path: str) -> tuple[dict, str]:
    """The raw TOML of the form `form_id`: beside `path` first, then in the forms folder."""
    from .files import forms_dir  # files imports this module

    dirs = []
    if path:
        dirs.append(Path(path).parent)
    dirs.append(forms_dir())
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.toml")):
            try:
                data = tomllib.loads(p.read_bytes().decode("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            head = data.get("form")
            if isinstance(head, dict) and head.get("id") == form_id and p.resolve() != Path(path or ".").resolve():
                return data, str(p)
    raise FormError(f"表单文件 {path}：extends 指向的表单“{form_id}”不存在", code="FORM_REF", path=path)


def apply_extends(data: dict, path: str, depth: int = 0) -> dict:
    """The variant's data laid over the form it extends (raw TOML in, raw TOML out)."""
    ctx = f"表单文件 {path}"
    head = data["form"]
    if depth >= _MAX_EXTENDS:
        raise FormError(f"{ctx}：extends 层级过多（可能是循环引用）", code="FORM_REF", path=path)
    base, base_path = _find_base(head["extends"], path)
    if isinstance(base.get("form"), dict) and "extends" in base["form"]:
        base = apply_extends(base, base_path, depth + 1)
    out = copy.deepcopy(base)
    _check_keys(data, {"form", "cover", "sheets", "texts", "rules", "workbook", "prompts", "rollup", "samples",
                       "kinds", "replace_rows"}, ctx)
    out["form"] = {**out.get("form", {}), **{k: v for k, v in head.items() if k != "extends"}}
    for key in ("cover", "sheets", "texts", "rules", "workbook", "prompts", "rollup", "samples", "kinds"):
        if key in data:
            out[key] = copy.deepcopy(data[key])
    for i, rep in enumerate(_opt(data, "replace_rows", list, [], ctx)):
        _replace_rows(out, rep, f"{ctx} 第 {i + 1} 个 [[replace_rows]]")
    return out


def _replace_rows(data: dict, rep: Any, ctx: str) -> None:
    if not isinstance(rep, dict):
        raise FormError(f"{ctx}：应为表", code="FORM_SCHEMA")
    _check_keys(rep, {"table", "rows", "with"}, ctx)
    tid = _req(rep, "table", str, ctx)
    gone = _req(rep, "rows", list, ctx)
    new = _req(rep, "with", list, ctx)
    if not gone or not new or not all(isinstance(x, str) for x in gone):
        raise FormError(f"{ctx}：rows 和 with 都不能为空", code="FORM_SCHEMA")
    table = next((t for sh in data.get("sheets", []) for t in sh.get("tables", []) if t.get("id") == tid), None)
    if table is None:
        raise FormError(f"{ctx}：表“{tid}”不存在", code="FORM_REF")
    ids = [r.get("id") for r in table.get("rows", [])]
    if any(g not in ids for g in gone):
        raise FormError(f"{ctx}：表“{tid}”没有行 {[g for g in gone if g not in ids]}", code="FORM_REF")
    at = [ids.index(g) for g in gone]
    if sorted(at) != list(range(min(at), min(at) + len(at))):
        raise FormError(f"{ctx}：被替换的行应当相邻", code="FORM_SCHEMA")
    first = min(at)
    table["rows"] = table["rows"][:first] + copy.deepcopy(new) + table["rows"][first + len(gone):]
    new_ids = [r.get("id") if isinstance(r, dict) else None for r in new]
    gone_set = set(gone)

    def rewrite(ref: str) -> str | None:
        m = _REF.match(ref.strip()) if isinstance(ref, str) else None
        if not m or m.group("table") != tid:
            return ref
        row = m.group("row")
        if ".." in row:
            a, b = row.split("..", 1)
            a = new_ids[0] if a in gone_set else a
            b = new_ids[-1] if b in gone_set else b
            row = f"{a}..{b}"
        elif row in gone_set:
            return None
        return f"{m.group('sign')}{m.group('prior') or ''}{tid}.{row}.{m.group('col')}"

    def refs(xs: list) -> list:
        return [y for y in (rewrite(x) for x in xs) if y is not None]

    for sh in data.get("sheets", []):
        for t in sh.get("tables", []):
            kept = []
            for d in t.get("derived", []):
                target = rewrite(d.get("cells", ""))
                terms = refs(d.get("sum", []))
                if target is not None and terms:
                    kept.append({**d, "cells": target, "sum": terms})
            if "derived" in t:
                t["derived"] = kept
    rules = []
    for r in data.get("rules", []):
        r = dict(r)
        for key in ("left", "right", "cells", "when"):
            if key in r:
                r[key] = refs(r[key])
        if r.get("kind") == "compare" and (not r.get("left") or not r.get("right")):
            continue
        if (r.get("kind") == "jump" and not r.get("cells")) or (r.get("kind") == "requires_text" and not r.get("when")):
            continue
        rules.append(r)
    if "rules" in data:
        data["rules"] = rules
