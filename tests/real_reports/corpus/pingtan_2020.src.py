# 平潭综合实验区2020年度政府信息公开工作年度报告 (2019 format) — the site's text version, read by hand. Table 三's
# rows split so that each row's columns add to its 总计 ("200 000121" = 20/0/0/0/0/1/21: the one cut that adds up);
# table 四 is fifteen 0s. Table 二's run-together triples: the 上一年项目数量 of 2020 follow from the 2019 report
# (../pingtan_2019.json: 396 + 0, 10 + 0, 2648 + 0, 126 + 0, 35 + 0); the rest of each triple has several cuts
# and no sum: null. "35-15" has two cells only, cut by its sign.
N = None
REPORT = dict(
    id="pingtan_2020", agency="平潭综合实验区", year=2020,
    title="平潭综合实验区2020年政府信息公开工作年度报告", region="福建省平潭综合实验区", level="综合实验区（地市级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "12f00b4205da89f3fa531f747c608e88308a046c",
        "path_page_txt": "pingtan/zwgk/zfxxgk/zfxxgknb/202103/80595_平潭综合实验区2020年度政府信息公开工作年度报告/page.txt",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202103/t20210305_80595.htm",
        "published": "2021-03-05", "found_via": "search find_files in the archive repository; read_file of page.txt "
                                                "(6,218 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_2020.txt"], "kind": "plain text (the crawler's flattening of the article: cells run together)"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    unreadable=["table2.行政许可.本年增/减", "table2.行政许可.处理决定数量",
                "table2.其他对外管理服务事项.本年增/减", "table2.其他对外管理服务事项.处理决定数量",
                "table2.行政处罚.本年增/减", "table2.行政处罚.处理决定数量",
                "table2.行政强制.本年增/减", "table2.行政强制.处理决定数量",
                "table2.政府集中采购.采购项目数量", "table2.政府集中采购.采购总金额"],
    table2=[[0, 0, 7], [77, 77, 166], [396, N, N], [10, N, N], [2648, N, N], [126, N, N], [35, -15], [N, N]],
    table3=[
        row(20, other=1), Z,                                    # 一, 二
        row(6, other=1), row(6),                                  # (一), (二)
        Z, Z, Z, Z, Z, Z, Z, Z,                         # (三) 1-8
        row(4), Z, row(3),                                  # (四) 1-3
        Z, row(3), Z, Z, Z,                               # (五) 1-5
        row(4),                                           # (六) one row
        row(20, other=1),                                       # (七)
        Z,                                              # 四
    ],
    table4=[0] * 15,
    body_claims=[{"text": "2020年全区各级行政机关共受理政府信息公开申请21件", "claimed": 21, "cell": "table3.一.总计"}],
    carry_over={"status": "pass", "prior": "pingtan_2019",
                "note": "2019 四 (all 0) = 2020 二 (all 0); and 2020 四 (all 0) = 2021 二 (all 0) across the change of format"},
    notes=[
        "Table 三's (七)总计 is not the sum of its rows: 自然人 20 against (一) 6 + (二) 6 + (四)1 4 + (四)3 3 + (五)2 3 + "
        "(六) 4 = 26, and 总计 21 against 7 + 6 + 4 + 3 + 3 + 4 = 27; 一 21 + 二 0 = (七) 21 + 四 0 holds (the report's "
        "own fault; every cell transcribed as printed).",
        "规范性文件 '7777166': 77 / 77 / 166 (2019's 对外公开总数量 89 + 77 = 166; no other cut gives a total that follows).",
        "行政事业性收费 本年增/减 printed '-15' (a decrease).",
    ],
)
