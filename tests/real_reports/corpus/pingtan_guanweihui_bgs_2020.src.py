# 平潭综合实验区管委会办公室2020年度政府信息公开工作年度报告 (2019 format) — the crawler's text version (page.txt),
# read by hand. Table 二 and the upper rows of table 三 run together; from 三(四)1 on most cells are apart by
# spaces, the last two of a row still joined ('0 0 0 0 0 00'). Tables 三 and 四 are all 0. Table 二's three
# ambiguous runs were settled by the 2019 report of the same office (pingtan_guanweihui_bgs_2019) and by this
# report's body; the page's HTML was not read.
REPORT = dict(
    id="pingtan_guanweihui_bgs_2020", agency="平潭综合实验区管委会办公室", year=2020,
    title="平潭综合实验区管委会办公室2020年度政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="综合实验区管委会办公室（县级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "056fdbf0b5854167661b2fbf732a75baa9aa1c64",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgwh/zfxxgknb/202101/"
                "80594_平潭综合实验区管委会办公室2020年度政府信息公开工作年度报告/page.txt",
        "file_id": "67365184679",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgwh/zfxxgknb/202101/"
                        "t20210129_80594.htm",
        "published": "2021-01-29 11:46 (发布时间 in the crawler's header)",
        "found_via": "search find_files in the archive (department channel ptzhsyqgwh/zfxxgknb); read_file of "
                     "page.txt (3,441 characters, stored here unchanged)",
        "sha256": "adb7b05f4335cb70b315e23ba20d516b45f4ae5ca82f829463ebd9d4c5ec26d6",
    },
    file={"saved_as": ["pingtan_guanweihui_bgs_2020.txt"],
          "kind": "plain text: the crawler's flattening of the article (header lines, then the article on one line; "
                  "table 二 run together, its column heads printed '本年新 制作数量本年新 公开数量')"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    table2=[[0, 0, 0], [3, 3, 36], [1, -1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], [197, "3601627.4元"]],
    table3=[
        Z, Z,                                   # 一, 二
        Z, Z,                                   # (一), (二)
        Z, Z, Z, Z, Z, Z, Z, Z,                 # (三) 1-8
        Z, Z, Z,                                # (四) 1-3
        Z, Z, Z, Z, Z,                          # (五) 1-5
        Z,                                      # (六) one row
        Z,                                      # (七)
        Z,                                      # 四
    ],
    table4=[0] * 15,
    body_claims=[
        {"text": "全年公开公文类政府信息共31条，其中政策、规范性文件类信息3条", "claimed": 3,
         "cell": "table2.规范性文件.本年新公开数量"},
        {"text": "全年共发布采购信息197批次涉及金额3601627.4元", "claimed": 197,
         "cell": "table2.政府集中采购.采购项目数量"},
    ],
    carry_over={"status": "pass", "prior": "pingtan_guanweihui_bgs_2019",
                "note": "2019 四 (all 0) = 2020 二 (all 0); table 二 continues 2019: 规范性文件 对外公开总数量 33 + 3 = 36, "
                        "行政许可 上一年项目数量 0 + 1 = 1 (2020 prints 1, then -1, 0)"},
    notes=[
        "规范性文件 '3336' = 3 / 3 / 36: 2019's 对外公开总数量 33 + this year's 3 = 36, and the body's '政策、规范性文件类"
        "信息3条'; the other cuts (33/3/6, 3/33/6) break that continuity. Not checked against the HTML.",
        "行政许可 '1-10' = 1 / -1 / 0, cut by the sign; 上一年项目数量 1 = 2019's 0 + 1 (+1 printed in 2019).",
        "政府集中采购 '1973601627.4元' = 197 / '3601627.4元', cut by the body ('197批次涉及金额3601627.4元'); kept as the "
        "printed string.",
        "Tables 三 and 四 are all 0 (the office received no applications in 2020, after 12 in 2019).",
    ],
)
