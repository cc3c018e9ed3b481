"""Findings: what the reader and the checks say about a return.

One shape for everything, so the text report, the JSON output, the feedback
workbook and the roll-up's completeness sheet all read the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITY_ZH = {"error": "错误", "warning": "提醒", "info": "说明"}


@dataclass
class Finding:
    rule: str
    severity: str  # error | warning | info
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
        return d


# Reader finding ids (rules of the workbook itself, not of the form):
READER_RULES = {
    "G-NO-IDENTITY": "工作簿没有 gkxl 标识，已按表格标签识别",
    "G-FINGERPRINT": "工作簿的结构指纹与表单不符",
    "G-SHEET-RENAMED": "工作表被改名或移动",
    "G-SHEET-MISSING": "缺少工作表",
    "G-EXTRA-SHEET": "多出了工作表",
    "G-LABEL": "表格标签被修改（或增删了行、列）",
    "G-FORMULA-REPLACED": "合计公式被替换为数字",
    "G-FORMULA-CHANGED": "合计公式被修改",
    "G-CACHED": "合计单元格保存的结果与重新计算的结果不符",
    "G-UNPROTECTED": "工作表保护被撤销",
    "G-STRUCTURE-UNLOCKED": "工作簿结构保护被撤销",
    "G-AGENCY": "填报单位与预期不符",
    "G-YEAR": "报告年度与预期不符",
    "G-MACROS": "工作簿含有宏（未运行，已忽略）",
    "V-NUMBER": "数字格式不对",
    "V-TEXT-NUMBER": "以文本形式保存的数字（已按数字读取）",
    "V-BLANK": "单元格未填写",
    "V-INPUT-FORMULA": "填报单元格中输入了公式",
    "V-TEXT-REQUIRED": "文字部分未填写",
    "V-COVER-REQUIRED": "封面信息未填写",
}
