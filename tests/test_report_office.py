"""Reports attached as .doc, .rtf or .odt (government sites attach Word 97-2003 files as often as
.docx): converted by LibreOffice with macros off, then read as the .docx. The real 平潭 2024 page's
Word version, saved by LibreOffice in each of those formats, reads every cell."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from gkxl.report import ReportError
from gkxl.report.importer import read_report
from report_helpers import REAL, score

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")]

FILTERS = {".doc": "doc:MS Word 97", ".rtf": "rtf:Rich Text Format", ".odt": "odt:writer8"}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("office")
    src = d / "pingtan_2024.docx"
    shutil.copy(REAL / "pingtan_2024.docx", src)
    with tempfile.TemporaryDirectory() as prof:
        for filt in FILTERS.values():
            subprocess.run(["soffice", f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--convert-to",
                            filt, "--outdir", str(d), str(src)], capture_output=True, check=True, timeout=180)
    return d


@pytest.mark.parametrize("suffix", sorted(FILTERS))
def test_word_97_rtf_and_odt_reports_are_read(saved, suffix):
    p = saved / f"pingtan_2024{suffix}"
    assert p.exists()
    m = read_report(p)
    s = score(m, json.loads((REAL / "pingtan_2024.json").read_text(encoding="utf-8")))
    assert (s["wrong"], s["missing"], m.agency, m.year) == ([], [], "平潭综合实验区", 2024)
    assert any("LibreOffice" in n for n in m.notes)


def test_a_doc_named_wps_is_read_and_without_libreoffice_refused(saved, tmp_path, monkeypatch):
    """A WPS file that is a Word 97 document inside (as WPS writes them) is read the same; on a machine without
    LibreOffice the refusal says what the file is and what to do."""
    wps = tmp_path / "报告.wps"
    wps.write_bytes((saved / "pingtan_2024.doc").read_bytes())
    assert read_report(wps).year == 2024
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ReportError) as e:
        read_report(wps)
    assert "需要 LibreOffice" in str(e.value) and "另存为 .docx" in str(e.value) and "报告.wps" in str(e.value)


def test_a_broken_doc_is_refused_not_crashed(tmp_path):
    p = tmp_path / "broken.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    with pytest.raises(ReportError) as e:
        read_report(p)
    assert "broken.doc" in str(e.value)


def test_a_conversion_past_its_time_is_killed_with_all_its_processes(saved, tmp_path):
    """LibreOffice's launcher starts soffice.bin: on time-out the whole group is killed, and nothing is left
    running (the report importer gives its conversions 90 seconds)."""
    import subprocess as sp

    from gkxl.errors import GkxlError
    from gkxl.workbook.libreoffice import convert

    src = tmp_path / "report.doc"
    src.write_bytes((saved / "pingtan_2024.doc").read_bytes())
    with pytest.raises(GkxlError) as e:
        convert(src, tmp_path / "out", "docx", timeout=0.3)
    assert e.value.code == "LIBREOFFICE_TIMEOUT"
    left = sp.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.split()
    assert left == []
