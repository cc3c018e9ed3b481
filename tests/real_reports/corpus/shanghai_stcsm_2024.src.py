# 2024年上海市科委政府信息公开工作年度报告 (上海市科学技术委员会) — a markdown extraction of the published PDF (as
# stored in the source repository), typed from reading the file. The extraction breaks table 三 apart: the row labels
# of the merged cells come as loose lines, several rows lose their label (a bare "| 0 | … |" row), and labels stand
# above the rows they name. Read by the order of the form's rows, every row of numbers taken in turn:
#   (一) 9…9 | (二) the bare 0-row after it | (三)1 labelled 0 | (三)2 the bare 0-row | (三)3, 4 labelled 0 |
#   (三)5 the bare "1 … 1" (its label above, among loose lines) | (三)6 labelled 1 | (三)7, 8 labelled 0 |
#   (四)1 the bare "4 … 4" | (四)2 "6 … 6" | (四)3 0 | (五)1–3 labelled 0 | (五)4, 5 the two bare 0-rows |
#   (六)1 the bare "8 2 0 0 0 0 10" | (六)2 the bare 0-row (a lone "1" line before it is no cell: no row has room
#   for it) | (六)3 labelled 4 … 4 | (七) 33 2 … 35 | 四 1 0 0 0 0 0 with its 总计 cell empty.
# The sums confirm the reading: 自然人 9 + 2 + 10 + 12 = 33, 商业企业 2 (the (六)1 row), 总计 9 + 2 + 10 + 14 = 35,
# and the body's 同意公开 9, 部分公开 0, 不予公开 2, 无法提供 10, 不予处理 0, 其他处理 14, 转下一年度 1.
N = None

REPORT = dict(
    id="shanghai_stcsm_2024", agency="上海市科学技术委员会（市科委）", year=2024,
    title="2024年上海市科委政府信息公开工作年度报告", region="上海市", level="省级政府部门",
    source={
        "repo": "zxj6827111-blip/KIROGOVCOMPARE", "commit": "5a4ed31f1e353c7c5059a5aa1fbaabbef46b5167",
        "path": "tests/fixtures/annual-report/kewei-2024-source.md", "file_id": "59708615879",
        "published": "on the commission's site https://stcsm.sh.gov.cn (named in the report)",
        "found_via": "search find_files of KIROGOVCOMPARE under tests/; read_file (4,496 characters, stored here "
                     "unchanged)",
    },
    file={"saved_as": ["shanghai_stcsm_2024.md"],
          "kind": "markdown extraction of the published PDF: running text with the PDF's line breaks, the tables as "
                  "broken pipe tables with loose label lines"},
    format={"table2": "2021 (国办公开办函〔2021〕30号), its second row labelled 规范性文件",
            "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [13, 0, 55], [97], [0], [0], ["0"]],
    table3=[
        row(32, 2), row(2),                              # 一, 二
        row(9), Z,                                       # (一), (二)
        Z, Z, Z, Z, row(1), row(1), Z, Z,                # (三) 1-8
        row(4), row(6), Z,                               # (四) 1-3
        Z, Z, Z, Z, Z,                                   # (五) 1-5
        row(8, 2), Z, row(4),                            # (六) 1-3
        row(33, 2),                                      # (七)
        [1, 0, 0, 0, 0, 0, N],                           # 四 — its 总计 cell empty in this extraction
    ],
    table4=[1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    body_claims=[
        {"text": "全年收到政府信息公开申请 34 件", "claimed": 34, "cell": "table3.一.总计"},
        {"text": "上年结转政府信息公开申请 2 件", "claimed": 2, "cell": "table3.二.总计"},
        {"text": "同意公开答复 9 件", "claimed": 9, "cell": "table3.三.(一).总计"},
        {"text": "部分公开答复 0 件", "claimed": 0, "cell": "table3.三.(二).总计"},
        {"text": "不予公开答复 2 件", "claimed": 2, "cell": [f"table3.三.(三).{i}.总计" for i in range(1, 9)]},
        {"text": "无法提供的 10 件", "claimed": 10, "cell": [f"table3.三.(四).{i}.总计" for i in range(1, 4)]},
        {"text": "不予处理 0 件", "claimed": 0, "cell": [f"table3.三.(五).{i}.总计" for i in range(1, 6)]},
        {"text": "其他处理 14 件", "claimed": 14, "cell": [f"table3.三.(六).{i}.总计" for i in range(1, 4)]},
        {"text": "转下一年度办理答复的有 1 件", "claimed": 1,
         "cell": [f"table3.四.{c}" for c in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "2024 年市科委有 1 件涉及政府信息公开工作的行政复议", "claimed": 1, "cell": "table4.行政复议.总计"},
        {"text": "涉及的行政诉讼数为0 件", "claimed": 0,
         "cell": ["table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
    ],
    notes=[
        "四、结转下年度继续办理's 总计 cell is empty in this extraction (the row reads 1 0 0 0 0 0); the published PDF "
        "very likely printed 1 — not verifiable from this file, so the cell is taken as printed blank. Hence rule c's "
        "总计 column shows 一+二 36 against (七) 35 + blank: an artefact of the extraction (every applicant column holds).",
        "The report's own section numbers differ from the form's: the body runs 一 总体情况 … 六 平台建设, then the "
        "attached tables are headed 一、主动公开政府信息情况, 二、收到和处理政府信息公开申请情况, 三、政府信息公开行政复议、"
        "行政诉讼情况, followed by (一)主要问题 / (二)改进情况 and 五、其他需要报告的事项.",
        "Table 二: the 第二十条第（五）（六）（八）项 items come first as loose lines ('行政许可 97', '行政处罚 0', '行政强制 0', "
        "'行政事业性收费 0'); the 规章 / 规范性文件 rows (labelled 规范性文件, not 行政规范性文件) follow as a pipe table.",
        "Table 四's 15 numbers are one pipe row under a 12-cell header row: 复议 1/0/0/0/1, 诉讼 all 0.",
        "The body's 行政规范性文件 13 件 agrees with table 二's 本年制发 13.",
    ],
)
