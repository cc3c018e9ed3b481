"""CSV outputs that open cleanly in Excel and WPS: UTF-8 with BOM, written
atomically, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import io
import os
from pathlib import Path

from .template import atomic_write

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that starts like a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(df, path: str | os.PathLike) -> Path:
    p = Path(path)
    atomic_write(p, csv_bytes(df))
    return p


def csv_bytes(df) -> bytes:
    """The frame as CSV for Excel: UTF-8 with BOM, formula-like text neutralised."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object:
            safe[col] = safe[col].map(neutralise)
    buf = io.StringIO()
    safe.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")
