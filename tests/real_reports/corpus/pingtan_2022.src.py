# 平潭综合实验区2022年度政府信息公开工作年度报告 — the site's text version (cells run together), read by hand:
# each row's digits split so that its columns add to its 总计, columns add down to (七) and 一+二 = (七)+四;
# the body agrees (收到 75 件 = 74 new + 1 carried over, 自然人 72 = 71 + 1, 商业企业 3; 诉讼 1, 复议 2).
# Table 二's "8855698" cut by the body's own figures: 制发 88 件, 现行有效 698 件, so 废止 55.
REPORT = dict(
    id="pingtan_2022", agency="平潭综合实验区（报告由平潭综合实验区管委会办公室汇总编制）", year=2022,
    title="平潭综合实验区2022年度政府信息公开工作年度报告", region="福建省平潭综合实验区", level="综合实验区（地市级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "12f00b4205da89f3fa531f747c608e88308a046c",
        "path_page_txt": "pingtan/zwgk/zfxxgk/zfxxgknb/202302/80629_平潭综合实验区2022年度政府信息公开工作年度报告/page.txt",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202302/t20230220_80629.htm",
        "published": "2023-02-20", "found_via": "search find_files in the archive repository; read_file of page.txt "
                                                "(3,993 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_2022.txt"], "kind": "plain text (the crawler's flattening of the article: cells run together)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [88, 55, 698], [10690], [2113], [0], ["9116.36"]],
    table3=[
        row(71, 3), row(1),                                 # 一, 二
        row(21), row(8, 1),                                 # (一), (二)
        Z, Z, Z, Z, row(1), row(2), row(1), Z,                # (三) 1-8
        row(37), Z, Z,                                    # (四) 1-3
        Z, Z, Z, Z, Z,                                  # (五) 1-5
        row(2), Z, row(0, 2),                               # (六) 1-3
        row(72, 3),                                       # (七)
        Z,                                              # 四
    ],
    table4=[0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    body_claims=[
        {"text": "全区收到政府信息公开申请75件", "claimed": 75, "cell": ["table3.一.总计", "table3.二.总计"]},
        {"text": "涉及自然人72件", "claimed": 72, "cell": ["table3.一.自然人", "table3.二.自然人"]},
        {"text": "商业企业3件", "claimed": 3, "cell": ["table3.一.商业企业", "table3.二.商业企业"]},
        {"text": "共有行政诉讼案件1件", "claimed": 1,
         "cell": ["table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
        {"text": "行政复议案件2件", "claimed": 2, "cell": "table4.行政复议.总计"},
        {"text": "集中公开现行有效行政规范性文件698件", "claimed": 698, "cell": "table2.行政规范性文件.现行有效件数"},
        {"text": "动态更新本年度制发的规范性文件88件", "claimed": 88, "cell": "table2.行政规范性文件.本年制发件数"},
    ],
    carry_over={"status": "pass", "prior": "pingtan_2021",
                "note": "2021 四 (1 自然人) = 2022 二 (1 自然人); 现行有效件数: 2021's 665 + 88 − 55 = 698 (as printed)"},
    notes=[
        "The body's 收到 75 件 counts last year's carried-over request (74 new + 1), and 自然人 72 件 likewise (71 + 1).",
        "Table 四 is printed with spaces between its numbers: 复议 0/1/1/0/2; 直接起诉 1/0/0/0/1; 复议后起诉 all 0.",
        "The heading of part 四 is misprinted '政府信息公开行政法复议、行政诉讼情况'.",
        "Cross-year to 2023 (pingtan_2023): 二 all 0 = 2022 四 all 0; 现行有效件数 698 + 77 − 132 = 643, while 2023's "
        "page prints 470 (its text version runs the three cells together, so audit cannot see it there).",
    ],
)
