"""The module paths of gkxl before its sub-packages (gkxl.reader, gkxl.template, gkxl.aggregate ...).

Scripts and the README's older examples import them; each old name is the very module object
of its new home (so `gkxl.xlsx.FAST_SCAN = False` still switches the real scanner), imported
only when asked for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

MOVED = {
    "layout": "form.layout", "compute": "form.compute",
    "template": "workbook.write", "reader": "workbook.read", "xlsx": "workbook.xlsx", "zipread": "workbook.zipread",
    "values": "workbook.values", "libreoffice": "workbook.libreoffice",
    "report_text": "checks.text", "feedback": "checks.feedback",
    "deadline": "collection.deadline", "ledger": "collection.ledger",
    "workfolder": "collection.folder", "board": "collection.board", "reminders": "collection.reminders",
    "aggregate": "rollup.aggregate", "rollup_write": "rollup.write", "tabular": "files.tabular",
    "cli_ledger": "cli.ledger", "cli_mail": "cli.mail", "cli_report": "cli.report",
    "scan": "workbook.scan", "outputs": "files.outputs", "parallel": "files.parallel", "textfile": "files.textfile",
    "checks.brief": "checks.batch",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        pkg, _, name = fullname.partition(".")
        if pkg != "gkxl" or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def __init__(self) -> None:
        self._specs: dict[str, object] = {}

    def create_module(self, spec):
        module = importlib.import_module(f"gkxl.{MOVED[spec.name.partition('.')[2]]}")
        self._specs[module.__name__] = (module.__spec__, module.__loader__)
        return module

    def exec_module(self, module) -> None:
        # already executed under its new name; the import system stamped the alias's spec on it: undo that
        module.__spec__, module.__loader__ = self._specs[module.__name__]


if not any(isinstance(f, _Alias) for f in sys.meta_path):
    sys.meta_path.append(_Alias())
