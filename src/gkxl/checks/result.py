"""The one result of checking a file: its verdict, who it is, and what was found.

A result comes in two sizes of the same type. In full (`check_file`, `check_return`) it holds the
`Return` read and every finding. Packed (`result.packed()`), what a roll-up or the ledger keeps
when 100,000 files are read, it holds only identity, verdict, counts, the first errors and the input
values as an array: every field but `ret` and `findings` means the same in both sizes.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..form.compute import Number, clean_number

if TYPE_CHECKING:
    from ..form import CellKey, Form
    from ..workbook.read import Return


class Verdict(StrEnum):
    """The verdict on one file (compares and serialises as the plain word)."""

    PASS = "pass"
    FAIL = "fail"
    UNREADABLE = "unreadable"


FIRST_ERRORS = 3  # how many error messages a packed result keeps (the ledger and the status board show them)


@dataclass(slots=True)
class CheckResult:
    """The verdict on one input file (see the module docstring for its two sizes)."""

    path: str
    status: str  # a Verdict
    ret: "Return | None" = None
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    error_code: str = ""
    # identity, taken from the Return (kept when packed)
    sha256: str = ""
    agency_code: str = ""
    agency_name: str = ""
    region: str = ""
    year: int | None = None
    kind: str = ""  # the workbook's kind: template, return or rollup
    created_at: str = ""
    modified: str = ""
    members: str = ""  # a roll-up's member codes, comma-separated
    form_id: str = ""
    form_version: str = ""
    # what a packed result keeps of its findings and numbers
    packed_counts: tuple[int, int] | None = None
    first_errors: tuple[str, ...] = ()
    values: array = field(default_factory=lambda: array("d"))
    moved: dict | None = None  # cells read from other places than the form's (label-matched copies)

    def __post_init__(self) -> None:
        r = self.ret
        if r is None or isinstance(r.form, tuple):
            return
        ident = r.identity
        self.sha256, self.agency_code, self.agency_name, self.year = r.sha256, r.agency_code, r.agency_name, r.year
        self.region, self.kind, self.modified = ident.get("region", ""), r.kind, r.modified
        self.created_at, self.members = ident.get("created_at", ""), ident.get("rollup_members", "")
        self.form_id, self.form_version = r.form.id, r.form.version

    # ---- findings
    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def n_errors(self) -> int:
        return self.packed_counts[0] if self.packed_counts is not None else len(self.errors)

    @property
    def n_warnings(self) -> int:
        return self.packed_counts[1] if self.packed_counts is not None else len(self.warnings)

    @property
    def is_rollup(self) -> bool:
        return self.kind == "rollup"

    # ---- the packed size
    def packed(self) -> "CheckResult":
        """The same result without its Return and findings: identity, verdict, counts, the first
        errors and the input values as a packed array (a roll-up of 100,000 returns fits in memory)."""
        r = self.ret
        out = CheckResult(self.path, self.status, None, [], self.error, self.error_code, self.sha256,
                          self.agency_code, self.agency_name, self.region, self.year, self.kind, self.created_at,
                          self.modified, self.members, self.form_id, self.form_version,
                          (self.n_errors, self.n_warnings),
                          self.first_errors or tuple(f.message for f in self.errors[:FIRST_ERRORS]),
                          self.values, self.moved)
        if r is not None and not isinstance(r.form, tuple):
            f = r.form
            out.values = array("d", [float(r.values.get(k) or 0) for k in f.input_cells])
            std = f.plan.sources
            out.moved = None if r.sources == std else ({k: v for k, v in r.sources.items() if std.get(k) != v}
                                                       or None)
        return out

    @classmethod
    def of(cls, res: "CheckResult") -> "CheckResult":
        """`res.packed()` (the name the roll-up and the ledger have always used)."""
        return res.packed()

    def value_map(self, form: "Form") -> "dict[CellKey, Number]":
        """A packed result's input values by cell."""
        return {k: clean_number(v) for k, v in zip(form.input_cells, self.values)}

    def source(self, form: "Form", key: "CellKey") -> str:
        """'sheet!B5': where this file holds a cell (its own place when it was read from a moved table)."""
        if self.moved and key in self.moved:
            s, c = self.moved[key]
        else:
            s, c = form.plan.sources[key]
        return f"{s}!{c}"

    # ---- JSON
    def to_dict(self) -> dict:
        return {
            "file": self.path,
            "agency": self.agency_code,
            "agency_name": self.agency_name,
            "year": self.year,
            "form": f"{self.form_id} {self.form_version}" if self.form_id else "",
            "kind": self.kind,
            "sha256": self.sha256,
            "status": self.status,
            "errors": self.n_errors,
            "warnings": self.n_warnings,
            "error": self.error,
            "error_code": self.error_code,
            "findings": [f.to_dict() for f in self.findings],
        }
