# 平潭综合实验区财政金融局2019年度政府信息公开工作年度报告 (2019 format) — the crawler's text version (page.txt),
# read by hand. Every cell runs together with no separator. Table 三 and 四 are all 0 (seven 0s a row, fifteen in
# 四). Table 二's ambiguous runs ('1077', '3500', '2832995元') were settled from the same page's HTML.
REPORT = dict(
    id="pingtan_caijinju_2019", agency="平潭综合实验区财政金融局", year=2019,
    title="平潭综合实验区财政金融局2019年度政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="综合实验区工作部门（县级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "fe0e772aba96fd6e7c66455122fe77e9f57251ff",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/202001/"
                "80560_平潭综合实验区财政金融局2019年度政府信息公开工作年度报告/page.txt",
        "file_id": "67576173470",
        "path_page_html": "same folder, page.html (file id 67544138264; 227,544 characters, read at offsets "
                          "32000-64000 for table 二 only)",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqczj/zfxxgknb/202001/"
                        "t20200106_80560.htm",
        "published": "2020-01-06 20:04 (发布时间 in the crawler's header; signed 2020年1月2日)",
        "found_via": "search find_files in the archive (department channel ptzhsyqczj/zfxxgknb); read_file of "
                     "page.txt (4,082 characters, stored here unchanged)",
        "sha256": "0344ef177bece33b170f8a9f231db597a8d4cc04217e90c522b87df2eaed0ee4",
    },
    file={"saved_as": ["pingtan_caijinju_2019.txt"],
          "kind": "plain text: the crawler's flattening of the article (header lines, then the article on one line; "
                  "all table cells run together; a Word conditional comment '<!--[if !supportMisalignedColumns]-->"
                  "<!--[endif]-->' left in the text before table 二)"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    table2=[[0, 0, 0], [10, 7, 7], [3, 0, 0], [0, 0, 0], [35, 0, 0], [0, 0, 0], [0, 0], [2, "832995元"]],
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
        {"text": "在主动公开的90条政府信息中……地方性法规、政府规章和规范性文件类信息10条", "claimed": 10,
         "cell": "table2.规范性文件.本年新公开数量"},
    ],
    notes=[
        "Table 二 from the page's HTML: 规范性文件 '1077' = 10 / 7 / 7 (本年新制作 10, 本年新公开 7, 对外公开总数量 7); "
        "行政许可 '300' = 3 / 0 / 0; 行政处罚 '3500' = 35 / 0 / 0 (not 3 / 50 / 0); 政府集中采购 '2832995元' = 2 / "
        "'832995元' (the HTML prints 832995 and 元 in two runs).",
        "The body's '主动公开的90条政府信息中…规范性文件类信息10条' says 10 published where table 二's 本年新公开数量 is 7 "
        "(10 is the 本年新制作数量 cell): a mismatch in the report, or a different scope (the body's class also "
        "counts 法规/规章); recorded as a claim that does not match, not settled.",
        "Table 三's heading row is printed '三三、本年度办理结果' (the 三 doubled in the text version); all of table 三 and "
        "table 四 is 0.",
        "行政许可 上一年项目数量 3 with 处理决定数量 0, and 行政处罚 上一年项目数量 35 with 处理决定数量 0, as printed.",
    ],
)
