"""A clerk types into the template in LibreOffice (driven through UNO, Debian's python3-uno), as
she would at the keyboard: numbers, "12件", "１０", a date; LibreOffice refuses a locked cell;
she saves, and the status line she saw equals what `gkxl check` says of the saved file (issue 13).

UNO lives in the system Python, not in the virtual environment: the typing runs in
/usr/bin/python3 as a small script, one soffice process with its own profile (zh-CN, so dates
are recognised as a Chinese clerk types them), both documents in one session.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_lo
from gkxl.checks import check_file
from gkxl.form.layout import COVER_SHEET, a1, cell_positions, cover_positions, sheet_layouts, text_positions
from gkxl.roster import Agency
from gkxl.workbook.write import parse_status, write_template
from gkxl.workbook.xlsx import open_book

SYSTEM_PY = "/usr/bin/python3"


def _has_uno() -> bool:
    try:
        return subprocess.run([SYSTEM_PY, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [needs_lo, pytest.mark.slow, pytest.mark.skipif(not _has_uno(), reason="python3-uno 未安装")]

DRIVER = r'''
import json, os, subprocess, sys, tempfile, time
import uno
from com.sun.star.beans import PropertyValue

def P(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>"""

jobs = json.load(open(sys.argv[1]))
prof = tempfile.mkdtemp(prefix="gkxl-uno-")
os.makedirs(prof + "/user")
open(prof + "/user/registrymodifications.xcu", "w").write(XCU)
pipe = "gkxluno%d" % os.getpid()
proc = subprocess.Popen(["soffice", "-env:UserInstallation=file://" + prof, "--headless", "--invisible", "--norestore",
                         "--nolockcheck", "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
report = {}
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    disp = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    for job in jobs:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["src"]), "_blank", 0, (P("Hidden", True),))
        ctrl = doc.getCurrentController()
        frame = ctrl.getFrame()
        refused = []
        for sheet, ref, text in job["typing"]:
            sh = doc.getSheets().getByName(sheet)
            ctrl.setActiveSheet(sh)
            before = sh.getCellRangeByName(ref).getString()
            disp.executeDispatch(frame, ".uno:GoToCell", "", 0, (P("ToPoint", ref),))
            disp.executeDispatch(frame, ".uno:EnterString", "", 0, (P("StringName", text),))
            if sh.getCellRangeByName(ref).getString() == before and text != before:
                refused.append([sheet, ref])
        report[job["name"]] = {"refused": refused,
                               "status": doc.getSheets().getByName(job["status_sheet"]).getCellRangeByName("A2").getString()}
        doc.storeToURL(uno.systemPathToFileUrl(job["dst"]), (P("FilterName", "Calc MS Excel 2007 XML"),))
        try:
            doc.close(True)
        except Exception:  # after a refusal headless LibreOffice may go away on close: saved already
            break
    try:
        desktop.terminate()
    except Exception:
        pass
    proc.wait(timeout=30)
finally:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
print(json.dumps(report, ensure_ascii=False))
'''


def _typing(form, seed: int, bad: bool) -> list[list[str]]:
    """What a clerk types: every input of a balanced filling, the cover, the text sections."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_workbook_truth import _balanced

    vals = _balanced(form, random.Random(seed))
    pos = cell_positions(form)
    out = []
    for key, v in vals.items():
        if key[1] == "carried_in":
            continue  # locked: last year's carry-over (none here, so it stays blank: typed as 0 below)
        s, r, c = pos[key]
        out.append([s, a1(r, c), str(v)])
    for col in form.tables["t3"].col_ids()[:-1]:
        s, r, c = pos[("t3", "carried_in", col)]
        out.append([s, a1(r, c), str(vals[("t3", "carried_in", col)])])
    cpos = cover_positions(form)
    out.append([COVER_SHEET, a1(*cpos["contact"]), "李华"])
    out.append([COVER_SHEET, a1(*cpos["phone"]), "0451-1234567"])
    for tid, (r, c) in text_positions(form).items():
        out.append(["文字部分", a1(r, c), "本年度工作情况说明。本年度未收取信息处理费。"])
    if bad:
        s, r, c = pos[("t3", "new", "research")]
        out.append([s, a1(r, c), "12件"])
        s, r, c = pos[("t3", "new", "natural")]
        out.append([s, a1(r, c), "１０"])
        s, r, c = pos[("t2b", "licensing", "decisions")]
        out.append([s, a1(r, c), "2025/1/5"])
    return out


def test_typing_in_libreoffice(tmp_path, form):
    names = list(sheet_layouts(form))
    jobs = []
    for name, bad in (("good", False), ("bad", True)):
        tpl = write_template(tmp_path / f"{name}.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
        typing = _typing(form, 5, bad)
        # last, in the last document only: a locked label. (Headless LibreOffice 7.4 answers a refusal
        # with a message box no one closes; a second refusal, or closing the document, may end it.)
        if bad:
            typing.append([names[1], "C11", "改标签"])
        jobs.append({"name": name, "src": str(tpl), "dst": str(tmp_path / f"{name}-typed.xlsx"),
                     "typing": typing, "status_sheet": COVER_SHEET})
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "driver.py").write_text(DRIVER, encoding="utf-8")
    run = subprocess.run([SYSTEM_PY, str(tmp_path / "driver.py"), str(spec)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    for name in ("good", "bad"):
        assert report[name]["refused"] == ([[names[1], "C11"]] if name == "bad" else [])  # all else took
        saved = tmp_path / f"{name}-typed.xlsx"
        res = check_file(saved)
        book = open_book(saved)
        try:
            says = parse_status(book.sheet(COVER_SHEET).get(1, 0).value)
        finally:
            book.close()
        assert parse_status(report[name]["status"]) == says  # what she saw is what was saved
        assert says == (res.status == "pass", len(res.errors), len(res.warnings)), (
            name, says, [(f.rule, f.sheet, f.cell) for f in res.findings if f.severity != "info"])
    assert check_file(tmp_path / "good-typed.xlsx").status == "pass"
    bad = check_file(tmp_path / "bad-typed.xlsx")
    found = {(f.rule, f.cell) for f in bad.findings}
    assert bad.status == "fail" and ("V-NUMBER", "F7") in found
    # "１０" typed by a Chinese input method: LibreOffice reads it as the number 10 (no finding at D7
    # but the balance it breaks); "2025/1/5" becomes the number 45662 in a count cell, shown as such
    assert not {r for r, c in found if c == "D7"} - {"T3-BALANCE"}
