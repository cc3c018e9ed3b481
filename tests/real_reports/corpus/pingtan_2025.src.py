# 平潭综合实验区2025年度政府信息公开工作年度报告 — the site's text version (cells run together), read by hand:
# each row's digits split so that its columns add to its 总计, columns add down to (七) and 一+二 = (七)+四;
# the body's figures (154 收到, 148 办结, 6 结转, 复议 36, 诉讼 9) agree with the split.
REPORT = dict(
    id="pingtan_2025", agency="平潭综合实验区（报告由平潭综合实验区管委会办公室编制）", year=2025,
    title="平潭综合实验区2025年度政府信息公开工作年度报告", region="福建省平潭综合实验区", level="综合实验区（地市级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "12f00b4205da89f3fa531f747c608e88308a046c",
        "path_page_txt": "pingtan/zwgk/zfxxgk/zfxxgknb/202603/105587_平潭综合实验区2025年度政府信息公开工作年度报告/page.txt",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm",
        "published": "2026-03-10", "found_via": "search find_files in the archive repository; read_file of page.txt "
                                                "(2,776 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_2025.txt"], "kind": "plain text (the crawler's flattening of the article: cells run together)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    # 行政规范性文件 "5845546": no sum ties the three cells, and last year's 440 fits no split (440 + 58 - 45 = 453,
    # not 546; no other cut fits either): left unreadable (null)
    unreadable=["table2.行政规范性文件.本年制发件数", "table2.行政规范性文件.本年废止件数",
                "table2.行政规范性文件.现行有效件数"],
    table2=[[0, 0, 0], [None, None, None], [2418], [644], [64], ["4166.241619"]],
    table3=[
        row(151, 3), Z,                                   # 一, 二
        row(33), row(38),                                   # (一), (二)
        Z, Z, Z, Z, row(3), row(2), row(3), row(3),             # (三) 1-8
        row(49, 1), row(3), Z,                              # (四) 1-3
        row(2), Z, Z, Z, Z,                               # (五) 1-5
        row(8), row(2), row(1),                               # (六) 1-3
        row(147, 1),                                      # (七)
        row(4, 2),                                        # 四
    ],
    table4=[25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3],
    body_claims=[
        {"text": "全区共收到政府信息公开申请154件", "claimed": 154, "cell": "table3.一.总计"},
        {"text": "共办结148件", "claimed": 148, "cell": "table3.三.(七).总计"},
        {"text": "结转至2026年6件", "claimed": 6, "cell": "table3.四.总计"},
        {"text": "行政复议36起", "claimed": 36, "cell": "table4.行政复议.总计"},
        {"text": "行政诉讼9起", "claimed": 9,
         "cell": ["table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
    ],
    carry_over={"status": "pass", "prior": "pingtan_2024",
                "note": "2024 四 (all 0) = 2025 二 (all 0); 现行有效件数 not judged (2025's cells unreadable)"},
    notes=[
        "Table 二 行政规范性文件 printed run together as '5845546' (58/45/546 is the likely reading, but nothing in the "
        "document fixes it): the three cells are null.",
        "Table 四 '25380363300630003': 复议 25/3/8/0/36; 直接起诉 3/3/0/0/6; 复议后起诉 3/0/0/0/3 — the only split "
        "whose totals add up and give the body's 复议 36 起, 诉讼 9 起.",
    ],
)
