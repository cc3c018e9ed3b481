"""What `gkxl audit` says about one file (plain data), and how its findings are sorted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from ..findings import CATALOGUE, Finding
from ..form import CellKey
from ..form.compute import Number, clean_number

# the audit's own findings are in the one catalogue (gkxl.findings): A-CLAIM, A-CARRY, A-VALID
AUDIT_CODES = {k: CATALOGUE[k] for k in ("A-CLAIM", "A-CARRY", "A-VALID")}
KIND_ZH = {"pdf": "PDF", "html": "网页", "docx": "Word", "text": "文字", "md": "Markdown"}
STATUS_ZH = {"ok": "未发现问题", "partial": "未发现问题，但未能全部读出（未读出的部分没有审核）", "faults": "有问题",
             "unreadable": "无法读取"}


@dataclass
class ReportAudit:
    """The outcome for one file (plain data: crosses process boundaries, serialises to JSON)."""

    path: str
    status: str = "ok"  # ok | faults | unreadable
    error: str = ""
    error_code: str = ""
    kind: str = ""
    agency: str = ""
    year: int | None = None
    form: str = ""
    form_title: str = ""
    found: int = 0  # cells placed
    blank: int = 0  # cells printed empty in the document's tables (nothing to place; counted as 0 by the rules)
    cells: int = 0  # cells of the form
    missing: list[str] = field(default_factory=list)  # what could not be placed, and why
    findings: list[Finding] = field(default_factory=list)
    rules_checked: int = 0
    rules_unchecked: int = 0  # rules not judged: a cell they need is missing
    values: dict[CellKey, Number] = field(default_factory=dict)
    sources: dict[CellKey, str] = field(default_factory=dict)

    @property
    def faults(self) -> list[Finding]:
        return [f for f in self.findings if is_fault(f)]

    @property
    def completeness(self) -> float:
        return self.found / self.cells if self.cells else 0.0

    def to_dict(self) -> dict:
        return {
            "file": self.path, "status": self.status, "error": self.error, "error_code": self.error_code,
            "kind": self.kind, "agency": self.agency, "year": self.year, "form": self.form,
            "cells_read": self.found, "cells_blank": self.blank, "cells": self.cells, "completeness": round(self.completeness, 4),
            "missing": self.missing, "rules_checked": self.rules_checked, "rules_unchecked": self.rules_unchecked,
            "faults": len(self.faults),
            "findings": [_finding_dict(f) for f in self.findings],
        }


def _finding_dict(f: Finding) -> dict:
    d = asdict(f)
    d["severity"] = str(f.severity)
    d["category"] = category(f)
    return d


def is_fault(f: Finding) -> bool:
    """A fault of the report (not a plausibility note): fails the audit."""
    return not f.rule.startswith("P-")


def category(f: Finding) -> str:
    if f.rule == "A-CLAIM":
        return "正文与统计表"
    if f.rule in ("A-CARRY", "A-VALID"):
        return "跨年度"
    if f.rule.startswith("P-"):
        return "合理性"
    return "表内规则"


def _fmt(x: Number) -> str:
    return str(clean_number(x))


def _where_of(m_sources: dict[CellKey, str], keys: Iterable[CellKey]) -> list[str]:
    return [m_sources[k] for k in keys if m_sources.get(k)]
