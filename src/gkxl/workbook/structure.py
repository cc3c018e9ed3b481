"""A return's workbook structure against the form's: sheets inserted, deleted, renamed, moved,
hidden or unhidden, protection removed."""

from __future__ import annotations

from ..findings import Finding, finding
from ..form import Form
from ..form.layout import COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, ROLLUP_SHEETS, TEXT_SHEET, sheet_layouts
from .xlsx import RawBook


def expected_sheets(form: Form, rollup: bool) -> list[str]:
    """The sheets a workbook of the form has, in order (its structure, which the fingerprint names)."""
    return [INSTRUCTIONS_SHEET, COVER_SHEET, *sheet_layouts(form), TEXT_SHEET,
            *(ROLLUP_SHEETS if rollup else ()), META_SHEET]


def structure_findings(book: RawBook, form: Form, layouts, matched_by: str, findings: list[Finding]) -> None:
    """Sheets inserted, deleted, renamed, moved, hidden or unhidden, protection removed: found by
    comparing with the structure the form prescribes, whatever the protection flag says (LibreOffice
    writes a bare <workbookProtection/> and does not enforce it)."""
    if matched_by != "identity":
        return
    expected = expected_sheets(form, book.custom.get("gkxl_kind") == "rollup")
    renamed = any(f.rule == "G-SHEET-RENAMED" for f in findings)
    for name in book.sheet_names:
        if name not in expected and not (renamed and any(f.rule == "G-SHEET-RENAMED" and f.sheet == name
                                                         for f in findings)):
            findings.append(finding("G-EXTRA-SHEET", f"多出了工作表“{name}”（模板的结构被改动）", sheet=name))
    for name in [COVER_SHEET, *layouts, TEXT_SHEET]:
        sh = book.sheet(name)
        if sh is None:
            if not renamed:
                findings.append(finding("G-SHEET-MISSING", f"缺少工作表“{name}”", sheet=name))
            continue
        if not sh.protected:
            findings.append(finding("G-UNPROTECTED", f"工作表“{name}”的保护被撤销", sheet=name))
    if META_SHEET not in book.sheet_names:
        findings.append(finding("G-META-MISSING", f"隐藏的标识工作表“{META_SHEET}”被删除（表内的自动检查随之失效）",
                                sheet=META_SHEET))
    for name in book.sheet_names:
        state = book.states.get(name, "visible")
        if name == META_SHEET:
            if state == "visible":  # very hidden as written; LibreOffice saves it merely hidden
                findings.append(finding("G-SHEET-STATE", f"隐藏的标识工作表“{META_SHEET}”被取消隐藏", sheet=name))
        elif name in expected and state != "visible":
            findings.append(finding("G-SHEET-STATE", f"工作表“{name}”被隐藏", sheet=name))
    present = [n for n in book.sheet_names if n in expected]
    if present != [n for n in expected if n in present]:
        findings.append(finding("G-SHEET-ORDER", "工作表的顺序被改动：应为" + "、".join(
            f"“{n}”" for n in expected if n != META_SHEET and n in present)))
    if not book.structure_locked:
        findings.append(finding("G-STRUCTURE-UNLOCKED", "工作簿结构保护被撤销"))
