"""Whose report and which year: from the title as real reports write it.

Real titles: "淮安市人民政府2024年政府信息公开工作年度报告",
"平潭综合实验区2024年度政府信息公开工作年度报告" (年度), "2019年上海市人民政府办公厅
政府信息公开工作年度报告" (year first), a title split over two or three lines
("淮安市人民政府" / "2024 年政府信息公开工作年度报告"), spaces inside
("2025 年"), full-width digits ("２０２４年"), a page title with the site's name
after it ("…年度报告_政府信息公开年报_平潭…"), a crawler's "标题: …" line.
When no title says it, the opening paragraph may ("本报告由××根据…编制",
"统计期限自2024年1月1日至2024年12月31日").
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..workbook.values import normalise_text
from .source import Para, SourceDoc

_Y = r"(?P<year>(?:19|20)\d{2})"
_NAME = r"(?P<agency>[^\s,，。:：;；、“”\"'《》<>|/\\_]{2,40}?)"
_TAIL = r"(?:的)?政府信息公开(?:工作)?(?:年度)?(?:报告|年报)"
_TITLES = (
    re.compile(rf"^{_NAME}(?:关于)?{_Y}年(?:度)?{_TAIL}"),  # 淮安市人民政府2024年政府信息公开工作年度报告
    re.compile(rf"^{_Y}年(?:度)?{_NAME}{_TAIL}"),  # 2019年上海市人民政府办公厅政府信息公开工作年度报告
    re.compile(rf"^{_NAME}政府信息公开工作{_Y}年(?:度)?报告"),  # ××政府信息公开工作2020年度报告
)
# a crawler's "标题: …" line, or the label cell of a site's metadata table printed beside the title
# ("名称    沭阳县发展和改革局2023年…", its colon often left out)
_PREFIX = re.compile(r"^(?:(?:信息|文件|文章)?(?:标题|题名|名称)|主题|标\s*题)[:：]?")
_MARKUP = re.compile(r"^[#>*\s]+|\*+$")  # a Markdown heading or bold title read as plain text
_BY = re.compile(r"本(?:年度)?报告(?:是)?由(?P<agency>[^\s,，。:：;；、“”《》]{2,30}?)(?:根据|依据|按照|依照|编制|编写)")
_PERIOD = re.compile(r"统计期限[为是自从:：]*" + _Y + r"年1月1日")
_BAD_START = ("本报告", "关于", "根据", "按照", "依据")


def _norm(s: str) -> str:
    return normalise_text(s or "")


def match_title(text: str) -> tuple[str, int] | None:
    """(agency, year) when `text` is a report title in one of its real variants."""
    t = _PREFIX.sub("", _MARKUP.sub("", _norm(text)))
    if len(t) > 120:
        return None
    for rx in _TITLES:
        m = rx.match(t)
        if m:
            agency = m.group("agency").strip("-—·")
            if agency.startswith(_BAD_START) or len(agency) < 2:
                continue
            return agency, int(m.group("year"))
    return None


def find_identity(src: SourceDoc, n_paras: int = 15) -> tuple[str, int | None, str]:
    """(agency, year, the title text as found); ('', None, '') when nothing says it.

    Lines near the top are tried alone and joined with the next one or two (a
    title split over lines); then the page title; then the file's name; then the opening paragraph."""
    paras = [b.text for b in src.blocks[:60] if isinstance(b, Para)][:n_paras]
    # a whole line first (a menu line before the title must not become part of the name),
    # then two and three lines joined, then the page's own title
    tries: list[str] = list(paras)
    tries += ["".join(paras[i:i + 2]) for i in range(len(paras) - 1)]
    tries += ["".join(paras[i:i + 3]) for i in range(len(paras) - 2)]
    if src.title_hint:
        tries.append(src.title_hint)
    # last, the file's own name: a copy or a page printed by a browser may have lost the heading,
    # while the file was saved under the report's title ("平潭综合实验区2023年度政府信息公开工作年度报告.txt")
    if src.path:
        tries.append(PurePath(src.path).stem)
    for t in tries:
        hit = match_title(t)
        if hit:
            return hit[0], hit[1], t
    agency, year = "", None
    opening = _norm("".join(paras[:8]))
    m = _BY.search(opening)
    if m:
        agency = m.group("agency")
    m = _PERIOD.search(opening)
    if m:
        year = int(m.group("year"))
    return agency, year, ""
