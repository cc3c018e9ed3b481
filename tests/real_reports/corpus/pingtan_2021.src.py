# 平潭综合实验区2021年度政府信息公开工作年度报告 — the site's text version (cells run together), read by hand:
# each row's digits split so that its columns add to its 总计 (one cut only: "640020470" = 64/0/0/2/0/4/70),
# columns add down to (七) and 一+二 = (七)+四; the body agrees (收到 70, 办结 69, 1 件结转下年度).
# Table 四 "10203120001200000": 复议 1/0/2/0/3; 直接起诉 12/0/0/0/12; 复议后起诉 all 0 (the only cut whose totals add).
REPORT = dict(
    id="pingtan_2021", agency="平潭综合实验区", year=2021,
    title="平潭综合实验区2021年度政府信息公开工作年度报告", region="福建省平潭综合实验区", level="综合实验区（地市级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "12f00b4205da89f3fa531f747c608e88308a046c",
        "path_page_txt": "pingtan/zwgk/zfxxgk/zfxxgknb/202202/80613_平潭综合实验区2021年度政府信息公开工作年度报告/page.txt",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm",
        "published": "2022-02-08", "found_via": "search find_files in the archive repository; read_file of page.txt "
                                                "(3,647 characters, stored here unchanged; it keeps the page's breadcrumb)",
    },
    file={"saved_as": ["pingtan_2021.txt"], "kind": "plain text (the crawler's flattening of the article: cells run together)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    # 行政规范性文件 "693665": 现行有效 665 follows from 2022's printed 698 − 88 + 55; 制发/废止 (69/3 or 6/93) has
    # no sum in this report or the next to choose: null
    unreadable=["table2.行政规范性文件.本年制发件数", "table2.行政规范性文件.本年废止件数"],
    table2=[[0, 0, 0], [None, None, 665], [2293], [1282], [42], ["24252.311082"]],
    table3=[
        [64, 0, 0, 2, 0, 4, 70], Z,                     # 一, 二
        [27, 0, 0, 2, 0, 1, 30], row(5),                  # (一), (二)
        Z, Z, Z, Z, row(1), Z, row(6), row(1),                # (三) 1-8
        [22, 0, 0, 0, 0, 3, 25], Z, Z,                  # (四) 1-3
        Z, Z, Z, Z, Z,                                  # (五) 1-5
        Z, Z, row(1),                                     # (六) 1-3
        [63, 0, 0, 2, 0, 4, 69],                        # (七)
        row(1),                                           # 四
    ],
    table4=[1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0],
    body_claims=[
        {"text": "本年度全区共收到70件申请", "claimed": 70, "cell": "table3.一.总计"},
        {"text": "及时依法依规办结69件", "claimed": 69, "cell": "table3.三.(七).总计"},
        {"text": "1件结转下年度继续办理", "claimed": 1, "cell": "table3.四.总计"},
    ],
    notes=[
        "行政规范性文件 '693665': 现行有效件数 665 is taken from the next year's report (2022 prints 88 制发, 55 废止, "
        "698 现行有效: 698 − 88 + 55 = 665, and 665 is the tail of the printed digits); 制发 and 废止 stay null.",
        "The fee '24252.311082' 万元 has 6 decimals (to the fen).",
        "The text version keeps the page's breadcrumb and share widgets before the report (当前位置：…文件下载 相关链接：-->).",
    ],
)
