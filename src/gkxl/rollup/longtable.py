"""The roll-up's long table (`--csv`) written a line at a time, without building a data frame.

The same text as `files.tabular.csv_bytes(rollup.tidy())` -- UTF-8 with BOM, pandas' quoting and number
format, formula-like text neutralised -- but each part's fields and each cell's fields are rendered once
and every line is their concatenation with the value: a roll-up of 10,000 returns (1.66 million lines)
costs seconds and the size of the text, not gigabytes of Python objects.
"""

from __future__ import annotations

import csv
import io
import os
from typing import BinaryIO, Iterator

from ..files.tabular import neutralise_text
from .aggregate import Rollup

COLUMNS = ["agency", "agency_name", "region", "kind", "file", "table", "row", "column", "row_label", "column_label",
           "cell", "value"]
LINES_PER_CHUNK = 4096


def _fields(values: list[str]) -> str:
    """Fields as pandas' to_csv writes them (csv.QUOTE_MINIMAL), neutralised, with the separator after."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([neutralise_text(v) for v in values])
    return buf.getvalue() + ","


def _number(v: float) -> str:
    return repr(float(round(v, 6)))  # as Rollup.tidy() rounds and pandas writes a float64


def iter_long_csv(r: Rollup) -> Iterator[str]:
    """The CSV text in chunks, header first."""
    form = r.form
    keys = form.input_cells
    tables = {t: form.tables[t] for t, _, _ in keys}
    rows = {(t, x.id): x for t in tables for x in tables[t].rows}
    cols = {(t, x.id): x for t in tables for x in tables[t].columns}
    labels = [[t, rw, c, "/".join(rows[t, rw].labels) or rows[t, rw].short, "/".join(cols[t, c].labels)]
              for t, rw, c in keys]
    std = [_fields(lab + [f"{s}!{c}"]) for lab, (s, c) in zip(labels, (form.plan.sources[k] for k in keys))]
    nl = os.linesep
    yield ",".join(COLUMNS) + nl
    buf: list[str] = []
    for s in r.parts:
        b = s.result
        head = _fields([b.agency_code, b.agency_name, b.region, b.kind, s.path])
        mids = std if not b.moved else [_fields(lab + [b.source(form, k)]) for lab, k in zip(labels, keys)]
        buf.extend(head + mid + _number(v) + nl for mid, v in zip(mids, b.values))
        if len(buf) >= LINES_PER_CHUNK:
            yield "".join(buf)
            buf.clear()
    if buf:
        yield "".join(buf)


def write_long_csv(r: Rollup, fh: BinaryIO) -> None:
    """Stream the long table into a binary file."""
    fh.write("\ufeff".encode("utf-8"))
    for chunk in iter_long_csv(r):
        fh.write(chunk.encode("utf-8"))


def long_csv_bytes(r: Rollup) -> bytes:
    """The long table as bytes (for files.outputs.write_together, which writes a roll-up and its CSV as a pair)."""
    out = io.BytesIO()
    write_long_csv(r, out)
    return out.getvalue()
