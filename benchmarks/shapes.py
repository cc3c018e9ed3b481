#!/usr/bin/env python3
"""Returns in every shape real spreadsheet programs give back (project issue 15).

    from shapes import generate, verify, SHAPES
    paths = generate("excel", Path("/tmp/gkxl-shapes"), 1000)

Every shape holds the same N returns: agency i is `B{i:06d}` ("基准测试单位{i:06d}",
region `R{i // 100:04d}`), its values `gkxl.fake.realistic_return(form, seed=i)`.
Files live in `BASE/<shape>/B000000.xlsx ...` and are kept between runs (a file
that exists is not made again).

Shapes
------
gkxl            gkxl's own writer (gkxl.fake.write_return), the source of all others.
libreoffice     the gkxl file opened and saved by real LibreOffice (`soffice --headless
                --convert-to xlsx:"Calc MS Excel 2007 XML"`, one invocation per batch of 150 files,
                each with its own profile, two at a time on the two cores). The first `lo_distinct`
                (default 1000) are converted one by one; beyond that (the 10,000-return
                aggregate) a LibreOffice file is copied under a new agency code: the code,
                the name and the region are rewritten in every XML part (custom document
                properties, the very hidden `_gkxl` sheet's shared strings -- where LibreOffice
                splits the name into rich-text runs, the digits are a run of their own --
                and docProps/app.xml), the way benchmarks/bench.py copies returns.
openpyxl        the gkxl file loaded with openpyxl (keep_vba=False) and saved again: inline
                strings with character references, formulas without cached values.
excel           Excel-shaped XML where no Excel runs: see `to_excel` for exactly what is emulated.
excel_phonetic  as `excel`, plus phonetic runs in the shared strings, as Chinese- and
                Japanese-locale Excel writes them (see `to_excel`).

`verify` reads a sample of every shape back with gkxl and asserts the values equal
those of the gkxl-written source and `gkxl.check_file` gives the same status.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# gkxl from this repository's src/, or from GKXL_SRC (e.g. a snapshot of a commit: `git archive`)
SRC = Path(os.environ.get("GKXL_SRC") or ROOT / "src")
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

SHAPES = ("gkxl", "libreoffice", "openpyxl", "excel", "excel_phonetic")
PER_REGION = 100
YEAR = 2025
LO_DISTINCT = 1000  # LibreOffice saves this many for real; more are copies under new codes
LO_BATCH = 150  # files per soffice invocation


# ---------------------------------------------------------------- identities

def code(i: int) -> str:
    return f"B{i:06d}"


def name(i: int) -> str:
    return f"基准测试单位{i:06d}"


def region(i: int) -> str:
    return f"R{i // PER_REGION:04d}"


def agency(i: int):
    import gkxl
    return gkxl.Agency(code(i), name(i), region(i))


def index_of(path: Path) -> int:
    return int(Path(path).stem[1:])


def _fake():
    """(realistic_return, write_return), wherever gkxl keeps them now."""
    for mod in ("gkxl.fake", "gkxl.testing.fake", "gkxl.tools.fake", "gkxl.samples.fake", "gkxl.demo.fake"):
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        if hasattr(m, "realistic_return") and hasattr(m, "write_return"):
            return m.realistic_return, m.write_return
    raise ImportError("gkxl.fake (realistic_return, write_return) not found")


def make_roster(path: Path, n: int) -> Path:
    """A roster CSV: a top region, R0000.. regions of 100 agencies, B000000.. agencies."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "所属地区", "上级地区", "类型"])
        w.writerow(["TOP", "基准省（汇总）", "", "", "汇总"])
        for r in range((n + PER_REGION - 1) // PER_REGION):
            w.writerow([f"R{r:04d}", f"基准地区{r:04d}", "", "TOP", "汇总"])
        for i in range(n):
            w.writerow([code(i), name(i), region(i), "", "部门"])
    return path


# ---------------------------------------------------------------- gkxl

_FORM = None


def _form():
    global _FORM
    if _FORM is None:
        import gkxl
        _FORM = gkxl.load_form()
    return _FORM


def _write_gkxl(args: tuple[str, int]) -> None:
    path, i = args
    realistic_return, write_return = _fake()
    form = _form()
    # a fixed save time: the same return is the same bytes every run
    from datetime import datetime
    write_return(path, form, agency(i), YEAR, realistic_return(form, i), saved_at=datetime(YEAR + 1, 1, 15, 10, 0))


def _pool_map(fn, items, jobs: int) -> None:
    if not items:
        return
    if jobs <= 1 or len(items) < 8:
        for it in items:
            fn(it)
        return
    with ProcessPoolExecutor(jobs) as ex:
        for _ in ex.map(fn, items, chunksize=max(1, len(items) // (jobs * 8))):
            pass


def gen_gkxl(base: Path, n: int, jobs: int = 2) -> list[Path]:
    d = base / "gkxl"
    d.mkdir(parents=True, exist_ok=True)
    paths = [d / f"{code(i)}.xlsx" for i in range(n)]
    _pool_map(_write_gkxl, [(str(p), i) for i, p in enumerate(paths) if not p.exists()], jobs)
    return paths


# ---------------------------------------------------------------- copies under a new agency code

def recode(data: bytes, old: int, new: int) -> bytes:
    """A package whose identity says agency `new` where it said `old` (every XML part)."""
    if old == new:
        return data
    pairs = [(code(old).encode(), code(new).encode()), (name(old).encode(), name(new).encode()),
             (f">{old:06d}<".encode(), f">{new:06d}<".encode()),  # LibreOffice: the digits as a run of their own
             (f">{region(old)}<".encode(), f">{region(new)}<".encode())]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                for a, b in pairs:
                    part = part.replace(a, b)
            z.writestr(info, part)
    return out.getvalue()


# ---------------------------------------------------------------- LibreOffice

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _lo_batch(exe: str, files: list[Path], out: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="gkxl-lo-profile-") as prof:
        cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--norestore", "--nolockcheck",
               "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, files)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            print(f"  LibreOffice did not finish {len(files)} files in {timeout:.0f} s", file=sys.stderr)


def gen_libreoffice(base: Path, n: int, jobs: int = 2, lo_distinct: int = LO_DISTINCT,
                    timeout: float = 1800) -> list[Path]:
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    d = base / "libreoffice"
    d.mkdir(parents=True, exist_ok=True)
    real = min(n, lo_distinct)
    src = gen_gkxl(base, real, jobs)
    todo = [p for p in src if not (d / p.name).exists()]
    if todo:
        # one soffice per batch of at most LO_BATCH files (7.4 here stops after ~244 files in one
        # invocation), `jobs` of them at a time
        batches = [todo[j:j + LO_BATCH] for j in range(0, len(todo), LO_BATCH)]
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max(1, min(jobs, len(batches)))) as ex:
            list(ex.map(lambda b: _lo_batch(exe, b, d, timeout), batches))
    missing = [p.name for p in src if not (d / p.name).exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not save {len(missing)} files, e.g. {missing[:3]}")
    paths = [d / f"{code(i)}.xlsx" for i in range(n)]
    for i in range(real, n):
        p = paths[i]
        if not p.exists():
            j = i % real
            _atomic_bytes(p, recode((d / f"{code(j)}.xlsx").read_bytes(), j, i))
    return paths


def lo_source_index(i: int, lo_distinct: int = LO_DISTINCT) -> int:
    """Which gkxl-written return the LibreOffice file of agency i was saved from."""
    return i if i < lo_distinct else i % lo_distinct


def _atomic_bytes(p: Path, data: bytes) -> None:
    tmp = p.with_name(p.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, p)


# ---------------------------------------------------------------- openpyxl

def _resave_openpyxl(args: tuple[str, str]) -> None:
    import openpyxl
    src, dst = args
    wb = openpyxl.load_workbook(src, keep_vba=False)
    tmp = dst + ".part.xlsx"
    wb.save(tmp)
    os.replace(tmp, dst)


def gen_openpyxl(base: Path, n: int, jobs: int = 2) -> list[Path]:
    d = base / "openpyxl"
    d.mkdir(parents=True, exist_ok=True)
    src = gen_gkxl(base, n, jobs)
    paths = [d / p.name for p in src]
    _pool_map(_resave_openpyxl, [(str(s), str(p)) for s, p in zip(src, paths) if not p.exists()], jobs)
    return paths


# ---------------------------------------------------------------- Excel, emulated

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_WORKSHEET = (
    f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
    'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" '
    'xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" xr:uid="{%s}">')
EXCEL_WORKBOOK = (
    f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15 xr xr6 xr10 xr2" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
    'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
    'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
    'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">')
CT_CALCCHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
REL_CALCCHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
EXCEL_ORDER = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
               "xl/worksheets/", "xl/theme/", "xl/styles.xml", "xl/sharedStrings.xml", "xl/calcChain.xml",
               "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")

_WS_ROOT = re.compile(r'<worksheet\b[^>]*>')
_WB_ROOT = re.compile(r'<workbook\b[^>]*>')
_ROW = re.compile(r'<row r="(\d+)"((?: [A-Za-z:]+="[^"]*")*)(/?)>')
_CELL_REF = re.compile(r'<c r="([A-Z]{1,3})(\d+)"')
_FCELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"((?: [a-z]+="[^"]*")*)><f>([^<]*)</f>((?:<v>[^<]*</v>)?)</c>')
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')
_A1 = re.compile(r'(?<![A-Za-z0-9_.$])(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})(?![0-9A-Za-z_(!])')
_SI = re.compile(r'<si>(.*?)</si>', re.S)
_SI_T = re.compile(r'<t(?: xml:space="preserve")?>([^<]*)</t>')


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(c: int) -> str:
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def formula_pattern(text: str, row: int, col: int) -> str:
    """The formula with every relative reference made relative to (row, col), R1C1-like:
    two cells whose patterns are equal hold "the same formula" as Excel's fill makes it."""
    def rel(m: re.Match) -> str:
        cd, cl, rd, rw = m.groups()
        c = f"${cl}" if cd else f"C[{_col(cl) - col}]"
        r = f"${rw}" if rd else f"R[{int(rw) - row}]"
        return r + c
    out, at = [], 0
    for q in _QUOTED.finditer(text):
        out.append(_A1.sub(rel, text[at:q.start()]))
        out.append(q.group(0))
        at = q.end()
    out.append(_A1.sub(rel, text[at:]))
    return "".join(out)


def shared_groups(cells: dict[tuple[int, int], str]) -> list[list[tuple[int, int]]]:
    """Runs of two or more adjacent cells with the same formula pattern: along a row
    first, then down a column among the rest. Each run is one shared formula."""
    pat = {pos: formula_pattern(f, *pos) for pos, f in cells.items()}
    taken: set[tuple[int, int]] = set()
    groups = []
    for pos in sorted(pat):  # along rows
        if pos in taken:
            continue
        run = [pos]
        r, c = pos
        while (r, c + 1) in pat and (r, c + 1) not in taken and pat[(r, c + 1)] == pat[pos]:
            c += 1
            run.append((r, c))
        if len(run) > 1:
            groups.append(run)
            taken.update(run)
    for pos in sorted(pat, key=lambda p: (p[1], p[0])):  # down columns
        if pos in taken:
            continue
        run = [pos]
        r, c = pos
        while (r + 1, c) in pat and (r + 1, c) not in taken and pat[(r + 1, c)] == pat[pos]:
            r += 1
            run.append((r, c))
        if len(run) > 1:
            groups.append(run)
            taken.update(run)
    groups.sort()
    return groups


def _guid(rnd: random.Random) -> str:
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4)).upper()


def _excel_sheet(xml: str, rnd: random.Random, phonetic: bool) -> tuple[str, list[str]]:
    """One worksheet as Excel 2016+ saves it; also the formula cells in order (for calcChain)."""
    xml = _WS_ROOT.sub(lambda m: EXCEL_WORKSHEET % _guid(rnd), xml, count=1)
    if "<dimension " not in xml:
        refs = [(int(r), _col(c)) for c, r in _CELL_REF.findall(xml)]
        if refs:
            dim = f'<dimension ref="A1:{_letters(max(c for _, c in refs))}{max(r for r, _ in refs)}"/>'
            xml = re.sub(r'(<sheetViews>|<sheetFormatPr)', dim + r'\1', xml, count=1)
    if "<sheetViews>" not in xml:
        xml = xml.replace("<sheetFormatPr", '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr', 1)
    xml = re.sub(r'<sheetFormatPr((?: [A-Za-z]+="[^"]*")*)/>',
                 lambda m: f'<sheetFormatPr{m.group(1)} x14ac:dyDescent="0.25"/>', xml, count=1)

    # rows: spans over each block of 16 rows (as Excel computes them), then x14ac:dyDescent last
    spans: dict[int, str] = {}
    body_start = xml.find("<sheetData")
    body_end = xml.find("</sheetData>")
    if body_start >= 0 and body_end > body_start:
        per_block: dict[int, list[int]] = {}
        for c, r in _CELL_REF.findall(xml, body_start, body_end):
            per_block.setdefault((int(r) - 1) // 16, []).append(_col(c))
        spans = {b: f"{min(cs)}:{max(cs)}" for b, cs in per_block.items()}

    def row(m: re.Match) -> str:
        r, attrs, close = m.group(1), m.group(2), m.group(3)
        if " spans=" not in attrs:
            sp = spans.get((int(r) - 1) // 16)
            if sp:
                attrs = f' spans="{sp}"' + attrs
        return f'<row r="{r}"{attrs} x14ac:dyDescent="0.25"{close}>'
    xml = _ROW.sub(row, xml)

    # shared formulas
    found = {(int(m.group(2)), _col(m.group(1))): m for m in _FCELL.finditer(xml)}
    groups = shared_groups({pos: m.group(4) for pos, m in found.items()})
    repl: dict[tuple[int, int], str] = {}
    for si, run in enumerate(groups):
        (r0, c0), (r1, c1) = run[0], run[-1]
        ref = f"{_letters(c0)}{r0}:{_letters(c1)}{r1}"
        for k, pos in enumerate(run):
            m = found[pos]
            head = f'<c r="{m.group(1)}{m.group(2)}"{m.group(3)}>'
            if k == 0:
                repl[pos] = f'{head}<f t="shared" ref="{ref}" si="{si}">{m.group(4)}</f>{m.group(5)}</c>'
            else:
                repl[pos] = f'{head}<f t="shared" si="{si}"/>{m.group(5)}</c>'
    if repl:
        xml = _FCELL.sub(lambda m: repl.get((int(m.group(2)), _col(m.group(1))), m.group(0)), xml)
    chain = [f"{m.group(1)}{m.group(2)}" for _, m in sorted(found.items())]

    if phonetic:  # Chinese-locale Excel: <phoneticPr> after <mergeCells>, before formatting and validation
        tag = '<phoneticPr fontId="1" type="noConversion"/>'
        for anchor in ("<conditionalFormatting", "<dataValidations", "<hyperlinks", "<printOptions",
                       "<pageMargins", "<pageSetup", "<headerFooter", "</worksheet>"):
            at = xml.find(anchor)
            if at >= 0:
                xml = xml[:at] + tag + xml[at:]
                break
    return xml, chain


def _reading(text: str) -> str:
    """A made-up katakana reading, one syllable per character (content does not matter)."""
    return "".join(chr(0x30A2 + (ord(ch) % 80)) for ch in text)


def _excel_sst(xml: str, phonetic: bool) -> str:
    """Shared strings as Excel writes them: <si><t>…</t></si>; with phonetic, every item
    gets <phoneticPr fontId="1" type="noConversion"/> and those starting with two CJK
    characters a phonetic run <rPh sb="0" eb="2"><t>…</t></rPh> before it."""
    if not phonetic:
        return xml

    def si(m: re.Match) -> str:
        inner = m.group(1)
        t = _SI_T.fullmatch(inner)
        text = t.group(1) if t else ""
        rph = ""
        if len(text) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in text[:2]):
            rph = f'<rPh sb="0" eb="2"><t>{_reading(text[:2])}</t></rPh>'
        return f'<si>{inner}{rph}<phoneticPr fontId="1" type="noConversion"/></si>'
    return _SI.sub(si, xml)


def _excel_workbook(xml: str, rnd: random.Random) -> str:
    xml = _WB_ROOT.sub(EXCEL_WORKBOOK, xml, count=1)
    xml = re.sub(r'<fileVersion [^>]*/>', '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>',
                 xml, count=1)
    rev = (f'<xr:revisionPtr revIDLastSave="0" documentId="13_ncr:1_{{{_guid(rnd)}}}" xr6:coauthVersionLast="47" '
           'xr6:coauthVersionMax="47" xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>')
    xml = re.sub(r'(<workbookPr\b[^>]*/>)', lambda m: m.group(1) + rev, xml, count=1)
    xml = re.sub(r'<workbookView\b([^>]*?)/>', lambda m: f'<workbookView{m.group(1)} xr2:uid="{{{_guid(rnd)}}}"/>',
                 xml, count=1)
    xml = re.sub(r'<calcPr\b[^>]*/>', '<calcPr calcId="191029"/>', xml, count=1)
    return xml


def to_excel(data: bytes, phonetic: bool = False, seed: int = 0) -> bytes:
    """Rewrite a gkxl-written package so that its XML looks like Excel 2016+ (Microsoft 365) output.

    Emulated, part by part:
    - every worksheet: Excel's root element with its namespace declarations in Excel's order
      (xmlns, xmlns:r, xmlns:mc, mc:Ignorable="x14ac xr xr2 xr3", xmlns:x14ac, xmlns:xr, xmlns:xr2,
      xmlns:xr3) and an `xr:uid="{GUID}"`; a `<dimension>` and `<sheetViews>` (kept, or added when
      missing); `<sheetFormatPr … x14ac:dyDescent="0.25"/>`; every `<row>` with `spans="first:last"`
      (the column range of its block of 16 rows, as Excel computes it) and `x14ac:dyDescent="0.25"`
      as the last attribute (Excel's attribute order: r, spans, s, customFormat, ht, customHeight,
      x14ac:dyDescent); cells keep Excel's attribute order r, s, t;
    - shared formulas: wherever the same formula pattern (relative references compared R1C1-style,
      quoted strings and sheet names left alone) repeats in two or more adjacent cells, along a row
      first and then down a column, the first cell carries `<f t="shared" ref="A1:B1" si="N">text</f>`
      and the others `<f t="shared" si="N"/>`, all keeping their cached `<v>` (on gb2021: the row
      totals J7:J31 and the column totals D30:I30 of table 三);
    - `xl/calcChain.xml` listing every formula cell (`<c r=".." i="sheetId"/>`, i on the first cell of
      each sheet), with its Override in [Content_Types].xml and its relationship in workbook.xml.rels;
    - the workbook: Excel's root with mc:Ignorable="x15 xr xr6 xr10 xr2" and those namespaces,
      `<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>`,
      `<xr:revisionPtr …/>` after `<workbookPr>`, `xr2:uid` on `<workbookView>`, and
      `<calcPr calcId="191029"/>` (Excel drops fullCalcOnLoad once it has calculated);
    - shared strings `<sst count uniqueCount><si><t>…</t></si>` (Excel's shape; xml:space="preserve"
      only where needed). With `phonetic=True` (Chinese/Japanese-locale Excel): every `<si>` ends
      with `<phoneticPr fontId="1" type="noConversion"/>`, items that start with two CJK characters get
      `<rPh sb="0" eb="2"><t>reading</t></rPh>` after their text, and every worksheet gets
      `<phoneticPr fontId="1" type="noConversion"/>` after `<mergeCells>`;
    - docProps/app.xml: AppVersion 16.0300; zip members in Excel's order (content types, rels,
      workbook, sheets, theme, styles, shared strings, calcChain, docProps), deflated.

    Kept as gkxl wrote them, as Excel keeps them when it re-saves a file it did not create:
    the legacy sheet and workbook protection hashes (Excel cannot turn them into SHA-512
    without the password), styles.xml and the theme (no x14ac/x16r2 style extensions),
    data validations, conditional formats, print settings, defined names, custom properties
    and the very hidden `_gkxl` sheet. Not emulated: printerSettings parts, x14 extLst blocks,
    Excel's own shared-string order, number formatting of cached values (gkxl's writer
    already writes them as Excel does).
    """
    rnd = random.Random(seed)
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    wb = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    # sheet part -> sheetId, in workbook order
    rid_target = dict(re.findall(r'<Relationship Id="([^"]+)" Type="[^"]*/worksheet" Target="([^"]+)"', rels))
    sheet_ids = []
    for sid, rid in re.findall(r'<sheet [^>]*?sheetId="(\d+)"[^>]*? r:id="([^"]+)"', wb):
        if rid in rid_target:
            sheet_ids.append(("xl/" + rid_target[rid].lstrip("/").removeprefix("xl/"), int(sid)))
    chain_xml = []
    for part, sid in sheet_ids:
        xml, chain = _excel_sheet(parts[part].decode("utf-8"), rnd, phonetic)
        parts[part] = xml.encode("utf-8")
        for k, ref in enumerate(chain):
            chain_xml.append(f'<c r="{ref}" i="{sid}"/>' if k == 0 else f'<c r="{ref}"/>')
    parts["xl/workbook.xml"] = _excel_workbook(wb, rnd).encode("utf-8")
    if "xl/sharedStrings.xml" in parts:
        parts["xl/sharedStrings.xml"] = _excel_sst(parts["xl/sharedStrings.xml"].decode("utf-8"), phonetic).encode("utf-8")
    if chain_xml:
        parts["xl/calcChain.xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                                     f'<calcChain xmlns="{NS_MAIN}">' + "".join(chain_xml) + "</calcChain>").encode("utf-8")
        ids = [int(x) for x in re.findall(r'Id="rId(\d+)"', rels)]
        rels = rels.replace("</Relationships>", f'<Relationship Id="rId{max(ids, default=0) + 1}" '
                            f'Type="{REL_CALCCHAIN}" Target="calcChain.xml"/></Relationships>')
        ct = parts["[Content_Types].xml"].decode("utf-8")
        ct = ct.replace("</Types>", f'<Override PartName="/xl/calcChain.xml" ContentType="{CT_CALCCHAIN}"/></Types>')
        parts["[Content_Types].xml"] = ct.encode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    if "docProps/app.xml" in parts:
        parts["docProps/app.xml"] = re.sub(rb"<AppVersion>[^<]*</AppVersion>", b"<AppVersion>16.0300</AppVersion>",
                                           parts["docProps/app.xml"])

    def order(nm: str) -> tuple[int, str]:
        for k, pre in enumerate(EXCEL_ORDER):
            if nm == pre or (pre.endswith("/") and nm.startswith(pre)):
                return k, nm
        return len(EXCEL_ORDER), nm
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for nm in sorted(parts, key=order):
            info = zipfile.ZipInfo(nm, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[nm])
    return out.getvalue()


def _write_excel(args: tuple[str, str, bool, int]) -> None:
    src, dst, phonetic, seed = args
    _atomic_bytes(Path(dst), to_excel(Path(src).read_bytes(), phonetic, seed))


def gen_excel(base: Path, n: int, jobs: int = 2, phonetic: bool = False) -> list[Path]:
    d = base / ("excel_phonetic" if phonetic else "excel")
    d.mkdir(parents=True, exist_ok=True)
    src = gen_gkxl(base, n, jobs)
    paths = [d / p.name for p in src]
    _pool_map(_write_excel, [(str(s), str(p), phonetic, i) for i, (s, p) in enumerate(zip(src, paths))
                             if not p.exists()], jobs)
    return paths


# ---------------------------------------------------------------- all shapes

def generate(shape: str, base: Path, n: int, jobs: int = 2, lo_distinct: int = LO_DISTINCT) -> list[Path]:
    """N returns of one shape under base/<shape>/ (files already there are kept)."""
    base = Path(base)
    if shape == "gkxl":
        return gen_gkxl(base, n, jobs)
    if shape == "libreoffice":
        return gen_libreoffice(base, n, jobs, lo_distinct)
    if shape == "openpyxl":
        return gen_openpyxl(base, n, jobs)
    if shape == "excel":
        return gen_excel(base, n, jobs)
    if shape == "excel_phonetic":
        return gen_excel(base, n, jobs, phonetic=True)
    raise ValueError(f"unknown shape {shape!r}; shapes: {', '.join(SHAPES)}")


def source_of(shape: str, path: Path, base: Path, lo_distinct: int = LO_DISTINCT) -> Path:
    """The gkxl-written return a generated file was made from."""
    i = index_of(path)
    j = lo_source_index(i, lo_distinct) if shape == "libreoffice" else i
    return Path(base) / "gkxl" / f"{code(j)}.xlsx"


def verify(shape: str, paths: list[Path], base: Path, sample: int = 20, lo_distinct: int = LO_DISTINCT) -> dict:
    """Read a sample (spread over the list) back with gkxl: the values must equal the
    gkxl-written source's, check_file's status must be the same, and the identity must
    name the file's own agency. Raises AssertionError; returns what differed in findings."""
    import gkxl
    if not paths:
        return {"checked": 0}
    step = max(1, len(paths) // sample)
    picked = paths[::step][:sample]
    if len(paths) > 1 and paths[-1] not in picked:
        picked[-1] = paths[-1]  # include the last: a LibreOffice copy when there are any
    extra_rules: dict[str, int] = {}
    for p in picked:
        src = source_of(shape, p, base, lo_distinct)
        a, b = gkxl.check_file(src), gkxl.check_file(p)
        assert a.ret is not None and b.ret is not None, f"{shape}: {p} unreadable: {b.error}"
        assert b.ret.values == a.ret.values, f"{shape}: {p} values differ from {src}"
        assert b.status == a.status, f"{shape}: {p} status {b.status} != source {a.status}"
        assert b.ret.agency_code == code(index_of(p)), f"{shape}: {p} says agency {b.ret.agency_code}"
        ra, rb = sorted(f.rule for f in a.findings), sorted(f.rule for f in b.findings)
        if ra != rb:
            for r in set(rb) - set(ra):
                extra_rules[r] = extra_rules.get(r, 0) + 1
    return {"checked": len(picked), "status": a.status, "extra_findings": extra_rules}


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="generate returns in every shape")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-shapes")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    args = ap.parse_args()
    for s in args.shapes.split(","):
        t = time.perf_counter()
        ps = generate(s, args.dir, args.n)
        v = verify(s, ps, args.dir)
        print(f"{s}: {len(ps)} files in {time.perf_counter() - t:.1f} s; verified {v}")
