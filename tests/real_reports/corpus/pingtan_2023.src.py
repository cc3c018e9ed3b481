# 平潭综合实验区2023年度政府信息公开工作年度报告 — the site's text version (cells run together), read by hand:
# every row's digits split so that its columns add to its 总计 and the columns add down to (七) and across
# 一+二 = (七)+四; the body's own figures (80 自然人, 1 商业企业, 42/5/31/1/2, 复议 2, 诉讼 7) agree with the split.
# Table 二's "77132470" read as 77 / 132 / 470 from the page's HTML table (page.html of the same archive, read
# with the search tool's read_file: three separate cells 77, 132, 470).
REPORT = dict(
    id="pingtan_2023", agency="平潭综合实验区（报告由平潭综合实验区管委会办公室汇总编制）", year=2023,
    title="平潭综合实验区2023年度政府信息公开工作年度报告", region="福建省平潭综合实验区", level="综合实验区（地市级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "12f00b4205da89f3fa531f747c608e88308a046c",
        "path_page_txt": "pingtan/zwgk/zfxxgk/zfxxgknb/202403/87885_平潭综合实验区2023年度政府信息公开工作年度报告/page.txt",
        "path_page_html": "pingtan/zwgk/zfxxgk/zfxxgknb/202403/87885_平潭综合实验区2023年度政府信息公开工作年度报告/page.html",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm",
        "published": "2024-03-08", "found_via": "search find_files in the archive repository; read_file of page.txt "
                                                "(3,415 characters, stored here unchanged)",
    },
    file={"saved_as": ["pingtan_2023.txt", "pingtan_2023.html"],
          "kind": "plain text (the crawler's flattening of the article: cells run together); and the article of "
                  "page.html (read in full with read_file: site navigation, widgets and footer removed; style, "
                  "valign, width, align and class attributes removed; text, <p>, <strong>, <br/>, colspan and "
                  "rowspan kept as published)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [77, 132, 470], [2629], [1330], [54], ["5949.088667"]],
    table3=[
        row(80, 1), Z,                                    # 一, 二
        row(22), row(19, 1),                                # (一), (二)
        Z, Z, Z, row(1), Z, row(1), row(1), row(2),             # (三) 1-8
        row(31), Z, Z,                                    # (四) 1-3
        Z, row(1), Z, Z, Z,                               # (五) 1-5
        row(1), Z, row(1),                                  # (六) 1-3
        row(80, 1),                                       # (七)
        Z,                                              # 四
    ],
    table4=[1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2],
    body_claims=[
        {"text": "各类政府信息公开申请共计81件", "claimed": 81, "cell": "table3.一.总计"},
        {"text": "涉及自然人80件", "claimed": 80, "cell": "table3.一.自然人"},
        {"text": "商业企业1件", "claimed": 1, "cell": "table3.一.商业企业"},
        {"text": "办结依申请公开81件", "claimed": 81, "cell": "table3.三.(七).总计"},
        {"text": "予以公开及部分公开42件", "claimed": 42, "cell": ["table3.三.(一).总计", "table3.三.(二).总计"]},
        {"text": "不予公开5件", "claimed": 5, "cell": [f"table3.三.(三).{i}.总计" for i in range(1, 9)]},
        {"text": "无法提供31件", "claimed": 31, "cell": [f"table3.三.(四).{i}.总计" for i in range(1, 4)]},
        {"text": "不予处理1件", "claimed": 1, "cell": [f"table3.三.(五).{i}.总计" for i in range(1, 6)]},
        {"text": "其他处理2件", "claimed": 2, "cell": [f"table3.三.(六).{i}.总计" for i in range(1, 4)]},
        {"text": "行政复议案件2件", "claimed": 2, "cell": "table4.行政复议.总计"},
        {"text": "行政诉讼案件7件", "claimed": 7,
         "cell": ["table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
        {"text": "动态更新本年度制发的规范性文件77件", "claimed": 77, "cell": "table2.行政规范性文件.本年制发件数"},
    ],
    notes=[
        "Cross-year (with tests/real_reports/pingtan_2024.json): 2023 四 (all 0) = 2024 二 (all 0); but 行政规范性文件 "
        "现行有效件数 breaks: 470 (2023) + 62 制发 - 33 废止 (2024) = 499, while 2024 prints 440.",
        "The body's '清理并集中发布现行有效行政规范性文件393件' is the count published in the site's document library "
        "after a clean-up, while table 二 prints 现行有效件数 470: a different count under a near wording; not scored "
        "as a body claim (a reader cannot tell which is meant).",
        "Table 四 '110024001510102': 复议 1/1/0/0/2; 直接起诉 4/0/0/1/5; 复议后起诉 1/0/1/0/2 — the only split whose "
        "totals add up and give the body's 复议 2 件, 诉讼 7 件.",
    ],
)
