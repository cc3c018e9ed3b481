"""Reports published as Word 97-2003 (.doc), WPS (.wps), RTF or OpenDocument (.odt): converted to
.docx by LibreOffice, when it is installed, and then read as any .docx.

Government sites attach .doc files as often as .docx. The file is untrusted: LibreOffice runs
in a profile of its own with macros off (never run, never asked), on a copy under a fixed name
(never the attachment's), in a private temporary folder, and is killed with all its processes
after CONVERT_SECONDS. Without LibreOffice the file is refused, saying what to do instead."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from ..workbook.libreoffice import soffice
from .errors import ReportError

CONVERTIBLE = (".doc", ".wps", ".rtf", ".odt")
CONVERT_SECONDS = 90
# macros: the highest security level, and macro execution disabled outright
_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseDocumentSystemFileLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def to_docx(data: bytes, path: str, suffix: str) -> bytes | None:
    """The document as .docx bytes; None when LibreOffice is not installed or cannot open it."""
    exe = soffice()
    if not exe:
        return None
    with tempfile.TemporaryDirectory(prefix="gkxl-doc-") as d:
        src = Path(d) / f"report{suffix}"
        src.write_bytes(data)
        user = Path(d) / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        out = Path(d) / "out"
        cmd = [exe, f"-env:UserInstallation={(Path(d) / 'profile').as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nologo", "--nodefault", "--writer", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out), str(src)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ReportError(f"{path}：用 LibreOffice 转换超过 {CONVERT_SECONDS} 秒，已停止；请另存为 .docx 或 PDF 后再导入",
                              code="REPORT_TOO_SLOW", path=path) from None
        got = out / "report.docx"
        return got.read_bytes() if got.exists() and got.stat().st_size else None


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()
