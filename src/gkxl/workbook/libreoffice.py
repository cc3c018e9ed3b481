"""Drive LibreOffice headless: recalculate a workbook, or render it to PDF.

Used by the tests (the real spreadsheet program is the proof of a template)
and by anyone who wants a recalculated copy. Each call gets its own profile,
set to recalculate .xlsx files on load (LibreOffice keeps cached values by
default, which would hide exactly what we want to test).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import GkxlError

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: str | Path, outdir: str | Path, to: str = "xlsx", timeout: float = 120) -> Path:
    """Open `src` in LibreOffice (recalculating), save it as `to` into outdir."""
    exe = soffice()
    if not exe:
        raise GkxlError("未找到 LibreOffice（soffice），请先安装 libreoffice-calc", code="NO_LIBREOFFICE")
    src, outdir = Path(src), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gkxl-lo-") as prof:
        user = Path(prof) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        spreadsheet = src.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
        if spreadsheet:
            filt = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf:calc_pdf_Export"}.get(to, to)
        else:  # a document (.docx, .html): let LibreOffice pick Writer
            filt = {"pdf": "pdf:writer_pdf_Export"}.get(to, to)
        cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", *(["--calc"] if spreadsheet else []), "--convert-to", filt,
               "--outdir", str(outdir), str(src)]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, text=True)
    out = outdir / (src.stem + "." + to)
    if proc.returncode != 0 or not out.exists():
        raise GkxlError(f"LibreOffice 转换 {src} 失败：{proc.stderr.strip() or proc.stdout.strip()}",
                        code="LIBREOFFICE")
    return out
