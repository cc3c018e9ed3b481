"""Drive LibreOffice headless: recalculate a workbook, render it to PDF, or turn a
.doc/.wps/RTF/.odt report into .docx.

Used by the tests (the real spreadsheet program is the proof of a template), by the
report importer, and by anyone who wants a recalculated copy. Each call gets its own
profile, set to recalculate .xlsx files on load (LibreOffice keeps cached values by
default, which would hide exactly what we want to test) and never to run a macro (the
files may come from anywhere); a call that runs past its time is killed with every
process LibreOffice started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import GkxlError

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
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
        else:  # a document (.docx, .doc, .html): let LibreOffice pick Writer
            filt = {"pdf": "pdf:writer_pdf_Export", "docx": "docx:MS Word 2007 XML"}.get(to, to)
        cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nologo", "--nodefault", *(["--calc"] if spreadsheet else []),
               "--convert-to", filt, "--outdir", str(outdir), str(src)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        try:
            out_text, err_text = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise GkxlError(f"LibreOffice 转换 {src} 超过 {timeout:.0f} 秒，已停止", code="LIBREOFFICE_TIMEOUT") from None
    out = outdir / (src.stem + "." + to)
    if proc.returncode != 0 or not out.exists():
        raise GkxlError(f"LibreOffice 转换 {src} 失败：{err_text.strip() or out_text.strip()}", code="LIBREOFFICE")
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    """LibreOffice starts soffice.bin under its launcher: the whole group goes."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()
