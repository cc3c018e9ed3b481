"""The published annual report: render it from a return, read it back, audit a folder of them.

`render_report(ret, out, force=False)` writes the report (.docx, .html or
.md) in the standard six sections with the form's tables laid out as the
standard format publishes them; `import_report(path, out, ...)` turns a
published report (PDF with a text layer, web page, .docx, copied text, .md)
back into a return workbook that `gkxl check` and `--prior` accept, every
cell with where it came from (`import_sources`); `audit_paths(paths)` reads
and judges a folder of published reports (`gkxl audit`).
"""

from __future__ import annotations

from .errors import ReportError, ReturnFailsChecks
from .importer import ImportResult, import_report, import_sources, read_report, read_source
from .mapping import Mapped, map_document
from .model import ReportDoc, build_report, published_grid, sections
from .render import render_report


def audit_paths(paths, **kw):
    """Audit every published report under `paths` (see gkxl.report.audit)."""
    from .audit import audit_paths as run
    return run(paths, **kw)


__all__ = ["ImportResult", "Mapped", "ReportDoc", "ReportError", "ReturnFailsChecks", "audit_paths", "build_report",
           "import_report", "import_sources", "map_document", "published_grid", "read_report", "read_source",
           "render_report", "sections"]
