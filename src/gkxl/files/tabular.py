"""CSV outputs that open cleanly in Excel and WPS: UTF-8 with BOM, written
atomically, and no cell that a spreadsheet would run as a formula.

`neutralise_text`/`restore` are gkxl's one CSV formula-injection guard: the
collect manifest (mail.manifest) and the roll-up's long table both use them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from .outputs import atomic_write

# What Excel or WPS would run as a formula (OWASP CSV injection), and the apostrophe
# itself: a value that already starts with one is prefixed too, so restore() is exact.
_DANGER = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise_text(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates: a leading apostrophe when needed."""
    return "'" + text if text.startswith(_DANGER) else text


def restore(text: str) -> str:
    """The text neutralise_text was given: one leading apostrophe removed."""
    return text[1:] if text.startswith("'") else text


def neutralise(value: object) -> object:
    """A cell of a data frame: text neutralised, anything else (numbers, None, NaN) unchanged."""
    if isinstance(value, str):
        return neutralise_text(value)
    return value


def write_csv(df, path: str | os.PathLike) -> Path:
    p = Path(path)
    atomic_write(p, csv_bytes(df))
    return p


def csv_bytes(df) -> bytes:
    """The frame as CSV for Excel: UTF-8 with BOM, formula-like text neutralised."""
    safe = df.copy()
    for col in safe.columns:
        # kind "O": object, pandas' str/string dtypes (the default for text since pandas 3) and
        # categoricals; testing `dtype == object` alone would skip every text column under pandas 3
        if safe[col].dtype.kind == "O":
            safe[col] = safe[col].map(neutralise)
    buf = io.StringIO()
    safe.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")
