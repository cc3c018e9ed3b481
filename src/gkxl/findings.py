"""Findings: what the reader and the checks say about a return, from one catalogue of codes.

Every code gkxl itself raises is declared once here, with its severity, a
short title and the advice a clerk can follow (the rules of a form — T3-BALANCE
and the like — are declared in the form file). A finding is built from a code
and its context with `finding()`, so severity and advice are never retyped at
a call site. One shape for everything: the text report, the JSON output, the
feedback workbook and the roll-up all read the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is. A StrEnum: compares and serialises as the plain word."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "提醒", Severity.INFO: "说明"}


@dataclass(frozen=True)
class Code:
    """One entry of the catalogue."""

    id: str
    severity: Severity
    title: str
    advice: str = ""


_C = Code
CATALOGUE: dict[str, Code] = {c.id: c for c in (
    # G-*: the workbook's structure and identity (tampering, a copied table, another agency's file)
    _C("G-NO-IDENTITY", Severity.WARNING, "工作簿没有 gkxl 标识，已按表格标签识别",
       "请使用下发的模板填写；复制到新文件的表格无法核对结构。"),
    _C("G-FINGERPRINT", Severity.ERROR, "工作簿的结构指纹与表单不符", "请使用下发的模板重新填写。"),
    _C("G-SHEET-RENAMED", Severity.ERROR, "工作表被改名或移动", "请把工作表的名称和顺序改回模板的样子。"),
    _C("G-SHEET-MISSING", Severity.ERROR, "缺少工作表", "请使用下发的模板重新填写，不要删除工作表。"),
    _C("G-EXTRA-SHEET", Severity.WARNING, "多出了工作表", "请删除自行添加的工作表。"),
    _C("G-SHEET-ORDER", Severity.WARNING, "工作表的顺序被改动", "请把工作表按模板的顺序排列（拖动工作表标签）。"),
    _C("G-SHEET-STATE", Severity.WARNING, "工作表被隐藏或取消隐藏", "请使用下发的模板，不要隐藏或取消隐藏工作表。"),
    _C("G-META-MISSING", Severity.WARNING, "隐藏的标识工作表被删除",
       "请使用下发的模板重新填写（可把已填的数字复制过去，粘贴时用“选择性粘贴—数值”）。"),
    _C("G-LABEL", Severity.ERROR, "表格标签被修改（或增删了行、列）", "请不要改动表格的标题、行和列。"),
    _C("G-FORMULA-REPLACED", Severity.ERROR, "合计公式被替换为数字",
       "合计由公式自动计算，请使用下发的模板，不要在合计单元格中输入数字。"),
    _C("G-FORMULA-CHANGED", Severity.ERROR, "合计公式被修改", "请使用下发的模板，不要改动合计公式。"),
    _C("G-CACHED", Severity.ERROR, "合计单元格保存的结果与重新计算的结果不符",
       "请在 Excel 或 WPS 中按 Ctrl+Alt+F9（LibreOffice 中按 Ctrl+Shift+F9）全部重新计算后保存；"
       "仍不符的，合计公式的结果被改动过，请使用下发的模板重新填写。"),
    _C("G-UNPROTECTED", Severity.WARNING, "工作表保护被撤销", "请使用下发的模板，不要撤销工作表保护。"),
    _C("G-STRUCTURE-UNLOCKED", Severity.WARNING, "工作簿结构保护被撤销", "请使用下发的模板，不要撤销工作簿保护。"),
    _C("G-AGENCY", Severity.ERROR, "填报单位与预期不符", "请使用本单位的模板填写。"),
    _C("G-YEAR", Severity.ERROR, "报告年度与预期不符", "请使用本年度的模板填写。"),
    _C("G-MACROS", Severity.WARNING, "工作簿含有宏（未运行，已忽略）", "请使用下发的 .xlsx 模板。"),
    # V-*: values and what was (not) filled in
    _C("V-NUMBER", Severity.ERROR, "数字格式不对", "只填写数字：件数为不小于 0 的整数，金额最多 6 位小数（万元精确到分），不要带文字。"),
    _C("V-TEXT-NUMBER", Severity.ERROR, "以文本形式保存的数字（表格的合计不计入文本）",
       "请选中该单元格，删除后重新输入数字；粘贴时请用“选择性粘贴—数值”。"),
    _C("V-BLANK", Severity.ERROR, "单元格未填写", "没有发生的请填 0，不要留空。"),
    _C("V-INPUT-FORMULA", Severity.ERROR, "填报单元格中输入了公式",
       "请直接填写数字（粘贴时用“选择性粘贴—数值”）。"),  # info when it has a result: the result is what counts
    _C("V-TEXT-REQUIRED", Severity.WARNING, "文字部分未填写", "请填写年度报告相应部分的正文。"),
    _C("V-COVER-REQUIRED", Severity.WARNING, "封面信息未填写", "请填写封面上的联系人、联系电话等信息。"),
    # X-*: across years
    _C("X-NO-PRIOR", Severity.WARNING, "没有找到上年报表，未做跨年度检查", "统筹人员可用 --prior 指定上年报表的目录。"),
    _C("X-PRIOR-AGENCY", Severity.ERROR, "给出的上年报表属于另一个单位", "请给出本单位的上年报表。"),
    _C("X-PRIOR-FORM", Severity.INFO, "上年报表的格式中没有这一项，该项跨年度检查未做",
       "上年报表采用另一种格式（如 2021 年起的新格式与此前的 2019 年格式），该项无法跨年度核对，请人工核实。"),
    # A-*: auditing published reports (the form's own rules keep their ids: T3-BALANCE, T4-REVIEW-TOTAL…)
    _C("A-CLAIM", Severity.ERROR, "正文中的数字与统计表不符", "请核对正文与统计表，改正其中错误的一处。"),
    _C("A-CARRY", Severity.ERROR, "本年“上年结转”与上年报告的“结转下年度继续办理”不符",
       "上年结转应等于上年报告的结转下年度继续办理。"),
    _C("A-VALID", Severity.WARNING, "现行有效件数与上年不衔接",
       "现行有效件数一般等于上年现行有效件数加本年制发件数减本年废止件数；文件到期失效的请在正文说明。"),
)}

# the catalogue as {code: title}, the shape older callers used
READER_RULES = {c.id: c.title for c in CATALOGUE.values()}


@dataclass
class Finding:
    rule: str
    severity: str  # a Severity (error | warning | info)
    message: str
    sheet: str = ""
    cell: str = ""
    values: dict = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)  # every cell involved, as 'sheet!A1'
    advice: str = ""

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


def finding(code: str, message: str | None = None, sheet: str = "", cell: str = "", *, values: dict | None = None,
            cells: list[str] | None = None, advice: str | None = None, severity: Severity | None = None) -> Finding:
    """A finding of a catalogue code: severity and advice from the catalogue unless given.

    `message` says what exactly is wrong here (the title when omitted)."""
    c = CATALOGUE[code]
    return Finding(code, severity or c.severity, message if message is not None else c.title, sheet, cell,
                   values or {}, cells or [], c.advice if advice is None else advice)
