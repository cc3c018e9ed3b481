# 平潭综合实验区公安局2024年政府信息公开工作年度报告 — the site's text version as the archive's crawler stored it
# (page.txt), read by hand. Most table 三 rows are run together as seven digits ("3000003", "0000000"); every cell
# is a single digit, so each run of 7 digits is 7 cells. A few rows keep some spaces ("8 0 0 0 0 0 8",
# "10 0 0 0 01", "0 0 00000"). Table 四 is "000000000000000" (15 zeros).
REPORT = dict(
    id="pingtan_gaj_2024", agency="平潭综合实验区公安局", year=2024,
    title="平潭综合实验区公安局2024年政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="地市级政府部门（平潭综合实验区管委会工作部门）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "16868d19a1d8212230ee4c5df4ce40d00db59a01",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgaj/zfxxgknb/202501/"
                "96806_平潭综合实验区公安局2024年政府信息公开工作年度报告/page.txt",
        "file_id": "67169278697",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgaj/zfxxgknb/202501/"
                        "t20250120_96806.htm",
        "published": "2025-01-20 17:39 (发布时间 in the crawler's header)",
        "found_via": "find_files of the archive under pingtan/zwgk/zfxxgk (ext md) -> dfbmptlj/ptzhsyqbm/ptzhsyqgaj/"
                     "zfxxgknb/README.md; read_file of page.txt (3,795 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_gaj_2024.txt"],
          "kind": "plain text (the crawler's flattening of the article, with its 9-line header; the body one line, "
                  "most table rows' seven cells run together with no separator)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [0, 0, 5], [52], [19], [7], ["0"]],
    table3=[
        row(8), Z,                                       # 一 "8 0 0 0 0 0 8", 二 "0000000"
        row(3), row(1),                                  # (一) "3000003", (二) "10 0 0 0 01"
        Z, Z, Z, Z, Z, Z, Z, Z,                          # (三) 1-8
        row(4), Z, Z,                                    # (四) 1-3 — 1 "4000004"
        Z, Z, Z, Z, Z,                                   # (五) 1-5
        Z, Z, Z,                                         # (六) 1-3 (1 printed "0 0 00000")
        row(8),                                          # (七) "8000008"
        Z,                                               # 四
    ],
    table4=[0] * 15,
    body_claims=[
        {"text": "政府信息公开申请共计8件", "claimed": 8, "cell": "table3.一.总计"},
        {"text": "同意公开3件", "claimed": 3, "cell": "table3.三.(一).总计"},
        {"text": "无法提供4件", "claimed": 4, "cell": [f"table3.三.(四).{i}.总计" for i in range(1, 4)]},
        {"text": "区分处理后公开1件", "claimed": 1, "cell": "table3.三.(二).总计"},
        {"text": "没有因政府信息公开针对区公安局申请行政复议或行政诉讼的事项", "claimed": 0,
         "cell": ["table4.行政复议.总计", "table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
    ],
    notes=[
        "Every printed sum holds; the body agrees with table 三 (3 + 1 + 4 = 8).",
        "Table 二: 行政规范性文件 printed '005' (0 / 0 / 5); 行政许可 52, 行政处罚 19, 行政强制 7, 收费 0.",
        "Table 三's header is broken by the flattening: '总计商业 企业 科研 机构 社会公益组织 …'.",
        "Part 五 is headed 存在的主要问题及明年工作计划.",
    ],
)
