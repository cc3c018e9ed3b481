"""Errors of the report renderer and importer (Chinese messages, stable codes)."""

from __future__ import annotations

from ..errors import GkxlError


class ReportError(GkxlError):
    """A report could not be rendered or a published report could not be read."""

    code = "REPORT"
    exit_code = 2


class ReturnFailsChecks(ReportError):
    """The return has errors: publishing it would publish wrong numbers.

    Exit code 1, the same as `gkxl check` on a failing return."""

    code = "REPORT_CHECK_FAILED"
    exit_code = 1
