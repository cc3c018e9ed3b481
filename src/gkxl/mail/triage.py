"""What an attachment is, before anything is saved: a workbook, a spreadsheet gkxl cannot read, an archive
to open, or something else; and whose workbook it is by its own identity (never by its name)."""

from __future__ import annotations

import hashlib

from ..errors import GkxlError
from .archive import is_package, zip_names
from .parse import Attachment

XLSX_EXT = (".xlsx", ".xlsm")
LEGACY_EXT = (".xls", ".et", ".ett", ".xlt", ".csv", ".ods", ".numbers", ".wps")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OTHER_ARCHIVES = {b"Rar!\x1a\x07": "RAR", b"7z\xbc\xaf\x27\x1c": "7z"}


def classify(att: Attachment) -> str:
    """'xlsx', 'legacy' (a spreadsheet gkxl cannot read), 'archive' (a zip to open) or 'other'.

    An .xlsx is itself a zip: only a zip that is not an Office or OpenDocument
    package is an archive."""
    name = att.name.lower()
    data = att.data or b""
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    ctype = att.content_type.lower()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # an empty zip is only its end record
        names = zip_names(data)
        if ext in XLSX_EXT or (names is not None and any(n.startswith("xl/") for n in names)):
            return "xlsx"
        if names is not None and "content.xml" in names and ext in LEGACY_EXT:
            return "legacy"
        if names is None:  # damaged, or a directory too large to list
            return "archive" if ext == ".zip" or "zip" in ctype else "other"
        return "other" if is_package(names) else "archive"
    if ext in XLSX_EXT:
        return "xlsx"  # the reader will say what it really is
    if ext in LEGACY_EXT or "ms-excel" in ctype or ctype in ("text/csv", "application/csv"):
        return "legacy"
    return "other"


def workbook_identity(data: bytes, name: str) -> tuple[dict[str, str], str]:
    """(identity, error): the workbook's own agency code, year and kind."""
    from ..workbook.read import read_identity, read_return
    from ..workbook.xlsx import open_book

    try:
        book = open_book(data, name or "附件")
    except GkxlError as e:
        return {}, str(e)
    try:
        ident = read_identity(book)
    finally:
        book.close()
    if ident:
        return ident, ""
    try:  # not made by gkxl: the cover may still say who it is
        ret = read_return(data, name=name or "附件")
    except GkxlError:
        return {}, ""
    return {"agency_code": ret.agency_code, "agency_name": ret.agency_name,
            "year": str(ret.year or "")}, ""


def fingerprint(raw: bytes) -> str:
    """The message_sha256 of a message: SHA-256 of its bytes with line ends made LF
    and trailing newlines dropped, so the copy an IMAP server sends (CRLF) and the
    one in its Maildir or an mbox (LF) are the same message."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n").rstrip(b"\n")).hexdigest()
