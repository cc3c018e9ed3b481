"""gkxl: the annual government-information-disclosure report, as a clean Excel workflow.

The pipeline, in the order data flows::

    import gkxl
    form = gkxl.load_form("gb2021")                       # the form (a TOML file in workbook_templates/)
    gkxl.write_template("QH-01.xlsx", form, year=2025, agency=gkxl.Agency("QH-01", "清河市政府办公室"))
    ret = gkxl.read_return("QH-01.xlsx")                   # identity, every number, texts, source cells
    res = gkxl.check_return(ret, prior=gkxl.read_return("2024/QH-01.xlsx"))
    roster = gkxl.load_roster("名单.xlsx")
    roll = gkxl.aggregate(["2025/"], roster, region="QH")  # the roll-up of exactly the returns that count
    gkxl.write_rollup(roll, "QH.xlsx"); roll.tidy()        # workbook of the same form; a pandas long table

    with gkxl.Ledger.open("2025年报") as led:              # a working folder made by `gkxl init`
        board = led.resolve()                              # every agency's status, every file's fate

Names are imported on first use, so `import gkxl` stays cheap for the command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # the form
    "load_form": "form", "Form": "form",
    # templates
    "write_template": "workbook.write", "write_templates": "workbook.write",
    # reading and checking
    "read_return": "workbook.read", "Return": "workbook.read",
    "check_return": "checks", "check_file": "checks", "check_paths": "checks", "CheckResult": "checks",
    "PriorIndex": "checks", "Verdict": "checks", "check_files": "checks.batch", "check_many": "checks.batch",
    "Finding": "findings", "Severity": "findings", "CATALOGUE": "findings",
    # rosters, the collection and the ledger
    "load_roster": "roster", "Roster": "roster", "Agency": "roster",
    "resolve": "collection", "Received": "collection", "AgencyState": "collection", "Resolution": "collection",
    "Status": "collection", "Fate": "collection",
    "Ledger": "collection.ledger",
    "parse_deadline": "collection.deadline",
    # roll-ups
    "aggregate": "rollup.aggregate", "Rollup": "rollup.aggregate", "write_rollup": "rollup.write",
    # published reports
    "render_report": "report", "import_report": "report", "read_report": "report", "import_sources": "report",
    "audit_paths": "report",
    # mail
    "collect": "mail", "send_templates": "mail", "send_feedback": "mail",
    # errors
    "GkxlError": "errors", "FormError": "errors", "RosterError": "errors", "ReadError": "errors",
    "OutputError": "errors", "MailError": "errors",
}

__all__ = ["__version__", *_EXPORTS]

from . import _compat  # noqa: E402  (gkxl.reader, gkxl.template ... keep working: see _compat)


def __getattr__(name: str):
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'gkxl' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from .rollup.aggregate import Rollup, aggregate
    from .checks import CheckResult, PriorIndex, Verdict, check_file, check_paths, check_return
    from .checks.batch import check_files, check_many
    from .collection import AgencyState, Fate, Received, Resolution, Status, resolve
    from .collection.deadline import parse_deadline
    from .errors import FormError, GkxlError, MailError, OutputError, ReadError, RosterError
    from .findings import CATALOGUE, Finding, Severity
    from .form import Form, load_form
    from .collection.ledger import Ledger
    from .mail import collect, send_feedback, send_templates
    from .workbook.read import Return, read_return
    from .report import audit_paths, import_report, import_sources, read_report, render_report
    from .rollup.write import write_rollup
    from .roster import Agency, Roster, load_roster
    from .workbook.write import write_template, write_templates
