"""Reports published as Word 97-2003 (.doc), WPS (.wps), RTF or OpenDocument (.odt): converted to
.docx by LibreOffice, when it is installed, and then read as any .docx.

Government sites attach .doc files as often as .docx. The file is untrusted: LibreOffice runs in a
profile of its own that never runs a macro, and is killed with all its processes after
CONVERT_SECONDS (workbook/libreoffice.py); it works on a copy under a fixed name (never the
attachment's) in a private temporary folder. Without LibreOffice the file is refused, saying what
to do instead."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import GkxlError
from ..workbook.libreoffice import convert, soffice
from .errors import ReportError

CONVERTIBLE = (".doc", ".wps", ".rtf", ".odt")
CONVERT_SECONDS = 90


def to_docx(data: bytes, path: str, suffix: str) -> bytes | None:
    """The document as .docx bytes; None when LibreOffice is not installed or cannot open it."""
    if not soffice():
        return None
    with tempfile.TemporaryDirectory(prefix="gkxl-doc-") as d:
        src = Path(d) / f"report{suffix}"
        src.write_bytes(data)
        try:
            got = convert(src, Path(d) / "out", "docx", timeout=CONVERT_SECONDS)
        except GkxlError as e:
            if e.code == "LIBREOFFICE_TIMEOUT":
                raise ReportError(f"{path}：用 LibreOffice 转换超过 {CONVERT_SECONDS} 秒，已停止；请另存为 .docx 或 PDF 后再导入",
                                  code="REPORT_TOO_SLOW", path=path) from None
            return None
        return got.read_bytes() if got.stat().st_size else None
