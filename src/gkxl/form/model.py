"""The form as data: tables, rows, columns, totals, rules, texts and the words around them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import FormError

CellKey = tuple[str, str, str]  # (table, row, column)

# count: a whole number >= 0; amount: a number >= 0 (万元); change: a whole number that may be negative
# (the 2019 format's 本年增/减, "-15" when fifteen items went)
CELL_KINDS = ("count", "amount", "change")
SIGNED_KINDS = ("change",)
# decimals a value of each kind may have, unless the form file says otherwise ([kinds.<kind>]):
# a count or a change is a whole number by definition; the bundled forms state amounts (万元) to the fen
DEFAULT_DECIMALS = {"count": 0, "amount": 6, "change": 0}
MAX_DECIMALS = 6  # the precision sums and comparisons keep (compute.clean_number, the live checks)
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
    # other names its last label is printed under in published reports (the importer reads them;
    # the workbook writes `labels`): 2021-format reports that keep 2019's "规范性文件"
    printed: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The last label and the names it is printed under."""
        return (self.labels[-1], *self.printed) if self.labels else ()


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
    decimals: dict[str, int] = field(default_factory=dict)  # cell kind -> decimals a value may have
    rollup_texts: dict[str, str] = field(default_factory=dict)  # text id -> what a roll-up writes there
    sample_texts: dict[str, str] = field(default_factory=dict)  # text id -> example text (demo, tests)
    # which report years the form is for ((first, last), None: not said) and, for a printed
    # variant declared with `extends`, the form it varies and how (both only informative)
    years: tuple[int, int] | None = None
    extends: str = ""
    variant: str = ""

    def decimals_of(self, kind: str) -> int:
        """How many decimals a value of `kind` may have: the form's [kinds] say, else the default."""
        return self.decimals.get(kind, DEFAULT_DECIMALS.get(kind, 0))

    def covers_year(self, year: int | None) -> bool | None:
        """True/False when the form says which years it is for, None when it does not."""
        if self.years is None or year is None:
            return None
        return self.years[0] <= year <= self.years[1]

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
    def cell_set(self) -> frozenset[CellKey]:
        return frozenset(self.cells)

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
                from .refs import expand_compare
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
