"""The published annual report: render it from a return, read it back.

`render_report(ret, out, force=False)` writes the report (.docx, .html or
.md) in the standard six sections with the form's tables laid out as the
standard format publishes them; `import_report(path, out, ...)` turns a
published report (.txt flattening, web page .html, .docx, .md) back into
a return workbook that `gkxl check` and `--prior` accept.
"""

from __future__ import annotations

from .errors import ReportError, ReturnFailsChecks
from .importer import ImportResult, import_report, read_source
from .mapping import Mapped, map_document
from .model import ReportDoc, build_report, published_grid, sections
from .render import render_report

__all__ = ["ImportResult", "Mapped", "ReportDoc", "ReportError", "ReturnFailsChecks", "build_report",
           "import_report", "map_document", "published_grid", "read_source", "render_report", "sections"]
