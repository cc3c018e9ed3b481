"""The few exception classes gkxl raises, each with a stable code.

Every message is Chinese and names the file (and cell, where there is one),
because it is shown as-is to a coordinator who cannot read a traceback.
"""

from __future__ import annotations


class GkxlError(Exception):
    """Base class: `code` is stable and machine-readable, `str()` is for people."""

    code = "GKXL"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None,
                 cell: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.path = path
        self.cell = cell

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.args[0]


class FormError(GkxlError):
    """The form definition file is missing, malformed or inconsistent."""

    code = "FORM"


class RosterError(GkxlError):
    """The roster file cannot be used (missing column, duplicate code, cycle...)."""

    code = "ROSTER"


class ReadError(GkxlError):
    """A return could not be read at all (corrupt, encrypted, not a workbook...)."""

    code = "READ"


class OutputError(GkxlError):
    """An output could not be written."""

    code = "OUTPUT"


class MailError(GkxlError):
    """A mail source or server could not be used."""

    code = "MAIL"
