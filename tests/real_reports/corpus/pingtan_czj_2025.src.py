# 平潭综合实验区财政金融局2025年度政府信息公开工作年度报告 — the site's text version as the archive's crawler stored it
# (page.txt), read by hand. Table 三's cells are mostly apart by single spaces, except that each row's first two and
# last two cells run together ("20 0 0 0 02" = 2 | 0 0 0 0 0 | 2); every cell is a single digit here, so each row
# reads unambiguously as 7 cells. Table 二's runs ("规章000", "行政规范性文件010") are single digits too.
REPORT = dict(
    id="pingtan_czj_2025", agency="平潭综合实验区财政金融局", year=2025,
    title="平潭综合实验区财政金融局2025年度政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="地市级政府部门（平潭综合实验区管委会工作部门）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "16868d19a1d8212230ee4c5df4ce40d00db59a01",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/202601/"
                "104656_平潭综合实验区财政金融局2025年度政府信息公开工作年度报告/page.txt",
        "file_id": "67152016638",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/202601/"
                        "t20260116_104656.htm",
        "published": "2026-01-16 14:46 (发布时间 in the crawler's header; the report is dated 2026年1月14日)",
        "found_via": "find_files of the archive under pingtan/zwgk/zfxxgk (ext md) -> the departments' channels "
                     "dfbmptlj/ptzhsyqbm/<dept>/zfxxgknb; read_file of that channel's README.md, then of page.txt "
                     "(4,214 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_czj_2025.txt"],
          "kind": "plain text (the crawler's flattening of the article, with its 9-line header: title, date, "
                  "publisher, original link; the body one line, table cells partly apart by spaces, partly run "
                  "together)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [0, 1, 0], [0], [1], [0], ["4166.214619"]],
    table3=[
        row(2), Z,                                       # 一 "20 0 0 0 02", 二
        row(1), Z,                                       # (一) "1 0 0 0 0 01", (二)
        Z, Z, Z, Z, Z, Z, Z, Z,                          # (三) 1-8
        row(1), Z, Z,                                    # (四) 1-3 — 1 "10 0 0 0 01"
        Z, Z, Z, Z, Z,                                   # (五) 1-5
        Z, Z, Z,                                         # (六) 1-3
        row(2),                                          # (七) "2 0 0 0 0 02"
        Z,                                               # 四
    ],
    table4=[0] * 15,                                     # "00 0 00 0 0 0 00 0 0 0 00": fifteen 0s
    body_claims=[
        {"text": "2025年我局共收到政府网站上政府信息公开申请件2件", "claimed": 2, "cell": "table3.一.总计"},
        {"text": "办结依申请2件", "claimed": 2, "cell": "table3.三.(七).总计"},
        {"text": "其中公开答复1件", "claimed": 1, "cell": "table3.三.(一).总计"},
        {"text": "无法提供1件", "claimed": 1, "cell": [f"table3.三.(四).{i}.总计" for i in range(1, 4)]},
    ],
    carry_over={"status": "pass", "prior": "the same channel's 2024 report (archive page.txt, file id 67120064531; not in "
                "the corpus)",
                "note": "2024 四 (all 0) = 2025 二 (all 0); 行政规范性文件 2024 现行有效 1 + 2025 制发 0 - 废止 1 = 0 = 2025 现行有效"},
    notes=[
        "Every printed sum holds; the body agrees with table 三.",
        "废止 1 > 制发 0 + 现行有效 0 is consistent: the 2024 report of the same bureau prints 行政规范性文件 0 / 2 / 1 "
        "(现行有效 1), so 1 + 0 - 1 = 0. gkxl's form had a warning T2-VALID-NONNEG-CHANGE (废止 <= 制发 + 现行有效) that "
        "fired here; it compared 废止 with this year's 现行有效 instead of last year's and was removed (X-VALID-DOCS "
        "judges the chain with last year's report).",
        "行政事业性收费 printed '4166.214619' (万元, six decimals). The same CMS's 平潭综合实验区2025 report (pingtan_2025) "
        "prints 4166.241619 for the whole zone — the digits 21/24 differ between the two reports; as printed here.",
        "Part 二 carries its own prose around table 二: '(一)主动公开政府信息的数量2024年制作、获取政府信息总数467条…"
        "不子公开信息数168条…' (sic: a 2024 figure and the typo 不子 in a 2025 report) before the table, and '(二)…(三)…' "
        "after it, before part 三.",
        "Table 二: 行政规范性文件 0 制发, 1 废止, 0 现行有效 (the body mentions 印发废止文件通知).",
        "Part 四 heading and table 三's row 四 both start '四、'; 五 is 存在的主要问题及改进情况 with (一)存在问题 / (二)改进措施.",
    ],
)
