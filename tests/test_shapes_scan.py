"""The fast scan reads what real spreadsheet programs save exactly as the lxml reading does:
openpyxl's character references and Chinese-locale Excel's phonetic guides (benchmarks/shapes.py makes them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gkxl.workbook import xlsx
from gkxl.workbook.read import read_return

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
shapes = pytest.importorskip("shapes")


def both(path: Path):
    xlsx.clear_caches()
    fast = read_return(path)
    xlsx.FAST_SCAN = False
    try:
        slow = read_return(path)
    finally:
        xlsx.FAST_SCAN = True
    return fast, slow


@pytest.mark.parametrize("shape", ["openpyxl", "excel", "excel_phonetic"])
def test_fast_scan_equals_lxml_on_program_shapes(shape, tmp_path):
    src = shapes.gen_gkxl(tmp_path, 3, jobs=1)
    files = shapes.generate(shape, tmp_path, 3, jobs=1)
    for f, s in zip(sorted(files), sorted(src)):
        fast, slow = both(Path(f))
        assert fast.values == slow.values == read_return(s).values
        assert fast.texts == slow.texts and fast.cover == slow.cover
        assert [x.rule for x in fast.findings] == [x.rule for x in slow.findings]
