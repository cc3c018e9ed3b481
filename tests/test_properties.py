"""Properties: valid fillings pass; any single-cell change that breaks a sum is
caught with that cell named; mangled files end in a result or a clean error."""

from __future__ import annotations

import io
import random
import re
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import AGENCY, YEAR, sheet_part, zip_edit
from gkxl.checks import check_return
from gkxl.errors import ReadError
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form
from gkxl.layout import cell_positions, a1
from gkxl.reader import read_return

FORM = load_form("gb2021")
SUM_CELLS = sorted({k for d in FORM.derived.values() for k in (d.cell, *d.terms)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), size=st.sampled_from([0.2, 1.0, 8.0]))
def test_random_valid_fillings_pass(tmp_path, seed, size):
    prior = realistic_return(FORM, seed + 1, size=size)
    vals = realistic_return(FORM, seed, prior=prior, size=size)
    p = write_return(tmp_path / f"{seed}.xlsx", FORM, AGENCY, YEAR, vals)
    res = check_return(read_return(p), prior)
    errors = [f for f in res.findings if f.severity == "error"]
    assert not errors, errors
    assert res.ret.inputs == {k: vals[k] for k in FORM.input_cells}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), idx=st.integers(0, len(SUM_CELLS) - 1), delta=st.integers(1, 50))
def test_single_cell_change_breaking_a_sum_is_caught(tmp_path, seed, idx, delta):
    """Change one number at the byte level (as a program that does not recalculate would)."""
    key = SUM_CELLS[idx]
    vals = realistic_return(FORM, seed)
    p = write_return(tmp_path / "r.xlsx", FORM, AGENCY, YEAR, vals)
    sheet, r, c = cell_positions(FORM)[key]
    ref = a1(r, c)
    part = sheet_part(p, sheet)

    def bump(data: bytes) -> bytes:
        pat = re.compile(rb'(<c r="%s"[^>]*>(?:<f>[^<]*</f>)?<v>)([^<]*)(</v>)' % ref.encode())
        m = pat.search(data)
        assert m, ref
        new = float(m.group(2)) + delta
        return data[:m.start(2)] + repr(new).encode() + data[m.end(2):]
    zip_edit(p, part, bump)
    res = check_return(read_return(p))
    named = {x for f in res.findings if f.severity == "error" for x in [f"{f.sheet}!{f.cell}", *f.cells]}
    assert res.status == "fail"
    assert f"{sheet}!{ref}" in named, (key, ref, [(f.rule, f.cell) for f in res.findings])


def _mutations(data: bytes, rnd: random.Random):
    """Byte flips, truncations, and parts replaced with junk or broken XML."""
    for _ in range(60):
        b = bytearray(data)
        for _ in range(rnd.randint(1, 20)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        yield bytes(b)
    for _ in range(20):
        yield data[: rnd.randrange(len(data))]
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    junk = [b"", b"<", b"<?xml version='1.0'?><a>", b"\xff\xfe garbage", b"<worksheet><sheetData><row r='x'>"
            b"<c r='ZZZZ99999999'><v>1</v></c></row></sheetData></worksheet>",
            b"<sst xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><si><t>x</t></si></sst>",
            b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData><row>"
            b"<c t='s'><v>99999</v></c><c t='n'><v>abc</v></c><c t='b'><v>1</v></c></row></sheetData></worksheet>"]
    for name in names:
        for j in junk:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as w:
                for n in names:
                    w.writestr(n, j if n == name else z.read(n))
            yield out.getvalue()


def test_fuzz_reader_never_crashes_or_hangs(tmp_path):
    data = write_return(tmp_path / "f.xlsx", FORM, AGENCY, YEAR, realistic_return(FORM, 5)).read_bytes()
    rnd = random.Random(1234)
    n = 0
    for blob in _mutations(data, rnd):
        t = time.perf_counter()
        try:
            ret = read_return(blob, name="fuzz.xlsx")
            check_return(ret)
        except ReadError as e:
            assert "fuzz.xlsx" in str(e) and e.code.startswith("READ")
        assert time.perf_counter() - t < 2.0
        n += 1
    assert n > 150
