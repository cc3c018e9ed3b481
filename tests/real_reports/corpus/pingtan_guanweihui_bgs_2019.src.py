# 平潭综合实验区管委会办公室2019年度政府信息公开工作年度报告 (2019 format) — the crawler's text version (page.txt),
# read by hand. Table 二 and the upper half of table 三 run their cells together with no separator; from 三(四)1
# on, most cells are apart by spaces but the last two cells of a row still run together ('3 0 0 0 0 03' =
# 3/0/0/0/0/0/3). Table 三's rows split so that each row's columns add to its 总计 (every cut unique).
# Table 二's run-together cells were settled from the same page's HTML (page.html, see notes).
REPORT = dict(
    id="pingtan_guanweihui_bgs_2019", agency="平潭综合实验区管委会办公室", year=2019,
    title="平潭综合实验区管委会办公室2019年度政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="综合实验区管委会办公室（县级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "fe0e772aba96fd6e7c66455122fe77e9f57251ff",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgwh/zfxxgknb/202001/"
                "80577_平潭综合实验区管委会办公室2019年度政府信息公开工作年度报告/page.txt",
        "file_id": "67573986934",
        "path_page_html": "same folder, page.html (file id 67223641896; 231,896 characters, read at offsets "
                          "16000-48000 for table 二 only)",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqgwh/zfxxgknb/202001/"
                        "t20200122_80577.htm",
        "published": "2020-01-22 14:28 (发布时间 in the crawler's header)",
        "found_via": "search find_files in the archive (department channel ptzhsyqgwh/zfxxgknb, its README.md lists "
                     "the reports); read_file of page.txt (3,208 characters, stored here unchanged)",
        "sha256": "e5b1f513a938f8c3bacf36b033714773d2a6480dad88009a4e216b045719ab1a",
    },
    file={"saved_as": ["pingtan_guanweihui_bgs_2019.txt"],
          "kind": "plain text: the crawler's flattening of the article (header lines, then the article on one line; "
                  "table 二 and the upper rows of table 三 run together, the lower rows of table 三 partly apart by "
                  "spaces)"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    table2=[[0, 0, 0], [22, 22, 33], [0, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], [21, "5419886元"]],
    table3=[
        row(12), Z,                             # 一, 二
        row(4), row(1),                         # (一), (二)
        Z, Z, Z, Z, Z, Z, Z, Z,                 # (三) 1-8
        Z, Z, row(3),                           # (四) 1-3
        Z, row(2), Z, Z, Z,                     # (五) 1-5
        row(2),                                 # (六) one row
        row(12),                                # (七)
        Z,                                      # 四
    ],
    table4=[0] * 15,
    body_claims=[
        {"text": "先后审核各部门印发的22条规范性文件并在政府网站上发布", "claimed": 22,
         "cell": "table2.规范性文件.本年新公开数量"},
        {"text": "今年共发布采购信息21条共5419886元", "claimed": 21, "cell": "table2.政府集中采购.采购项目数量"},
    ],
    notes=[
        "Table 二 规范性文件 '222233': 22 / 22 / 33, read in the page's HTML (page.html, cells 22, 22, 33). "
        "行政许可 '0+11': 0 / +1 / 1 (printed '+1', typed 1; the HTML shows 0, +1, 1).",
        "政府集中采购 '215419886元': 21 / '5419886元', cut by the body ('今年共发布采购信息21条共5419886元'); the HTML "
        "row was not read that far (typed as the body says; kept as the printed string with its 元).",
        "Table 三: 一 12 (自然人 12); results (一) 4, (二) 1, (四)3 补正后申请内容仍不明确 3, (五)2 重复申请 2, (六) 2; "
        "(七) 12; 四 0. Every row and column sum holds (4+1+3+2+2 = 12). Each run-together row has one cut whose "
        "columns add to its 总计 ('120000012' = 12/0/0/0/0/0/12); '0 0 0 0 0 00' (四)1 is six tokens, the last "
        "holding 其他 and 总计.",
        "Table 四: fifteen 0s run together ('000000000000000').",
        "The body's '全年公开公文类政府信息共33条，其中地方性法规、政府规章和规范性文件1条' is a different scope (the office's "
        "own documents) from table 二's 规范性文件 22 (all departments' documents it reviewed and published); not "
        "entered as a claim.",
    ],
)
