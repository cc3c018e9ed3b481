"""The fast scan of two small parts every return has: the workbook part (its sheets, their
states, the structure lock) and the custom document properties (gkxl's identity), as Excel,
LibreOffice and xlsxwriter write them; None for any other shape, which lxml then reads
(xlsx.py). Proven equal to lxml's reading by tests/test_xlsx_scan.py and tests/test_shapes_scan.py.
"""

from __future__ import annotations

import re

from .fastscan import DECL_ENC, NS_MAIN, NotCanonical, unescape

_CUSTOM = re.compile(rb'(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<Properties xmlns="http://schemas.openxmlformats.org/'
                     rb'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
                     rb'2006/docPropsVTypes">((?:<property fmtid="[^"<&]*+" pid="[0-9]++" name="[^"<&\t\n\r]*+">'
                     rb'<vt:[a-z0-9]++>[^<]*+</vt:[a-z0-9]++></property>)*+)</Properties>\s*')
_PROPERTY = re.compile(rb'<property fmtid="[^"]*" pid="[0-9]+" name="([^"]*)"><vt:([a-z0-9]+)>([^<]*)</vt:\2></property>')


def scan_custom(data: bytes) -> dict[str, str] | None:
    """Custom document properties as xlsxwriter, Excel and LibreOffice write them ({name: text}),
    or None for lxml."""
    m = _CUSTOM.fullmatch(data)
    if m is None or DECL_ENC.match(data):
        return None
    body = m.group(1)
    found = _PROPERTY.findall(body)
    if len(found) != body.count(b"<property "):
        return None  # an element closed by another name: not well-formed
    try:
        return {name.decode("utf-8"): unescape(text) for name, _t, text in found}
    except (NotCanonical, UnicodeDecodeError):
        return None


NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WB_ROOT = re.compile(rb'(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<workbook xmlns="' + re.escape(NS_MAIN.encode())
                      + rb'"([^>]*)>')
_SHEET = re.compile(rb'<sheet name="([^"<&\t\n\r]*+)" sheetId="[0-9]++"(?: state="([a-zA-Z]++)")?+'
                    rb' r:id="([^"<&\t\n\r]*+)"/>')
_WB_PROT = re.compile(rb'<workbookProtection(?=[\s/>])([^>]*)>')
_LOCK = re.compile(rb'\slockStructure="([^"]*)"')


def scan_workbook(data: bytes) -> tuple[tuple, bool] | None:
    """((sheet name, state, relationship id) for each sheet, structure locked) of a workbook part
    as Excel, LibreOffice and xlsxwriter write it, or None for lxml."""
    m = _WB_ROOT.match(data)
    if m is None or b' xmlns:r="' + NS_REL.encode() + b'"' not in m.group(1) or DECL_ENC.match(data) \
            or (b"!" in data and b"<!" in data):
        return None
    i = data.find(b"<sheets>", m.end())
    j = data.find(b"</sheets>", i)
    if i < 0 or j < 0 or data.find(b"<sheets", j) >= 0:
        return None
    body = data[i + 8:j]
    found = _SHEET.findall(body)
    if not found or body.count(b"<") != len(found):
        return None  # another element among the sheets, or a sheet in another shape
    try:
        entries = tuple((name.decode("utf-8"), (state or b"visible").decode("ascii"), rid.decode("utf-8"))
                        for name, state, rid in found)
    except UnicodeDecodeError:
        return None
    prot = _WB_PROT.findall(data)
    if len(prot) > 1 or (prot and b"&" in prot[0]):
        return None
    if not prot:
        return entries, False
    lock = _LOCK.search(prot[0])
    return entries, (lock.group(1) if lock else b"1") in (b"1", b"true")
