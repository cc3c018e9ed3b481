# 平潭综合实验区经济发展局2020年政府信息公开工作年度报告 (2019 format) — the crawler's text version of the
# article (page.txt), read by hand. Unlike the 平潭 main site's text versions, this page's table cells are kept
# apart by single spaces, so every cell is read without cutting digits. Every cell of tables 三 and 四 is 0.
REPORT = dict(
    id="pingtan_jingfaju_2020", agency="平潭综合实验区经济发展局", year=2020,
    title="平潭综合实验区经济发展局2020年政府信息公开工作年度报告", region="福建省平潭综合实验区",
    level="综合实验区工作部门（县级）",
    source={
        "repo": "changwu/pingtan-gov-zwgk-archive", "commit": "056fdbf0b5854167661b2fbf732a75baa9aa1c64",
        "path": "pingtan/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqjjf/zfxxgknb/202101/"
                "80578_平潭综合实验区经济发展局2020年政府信息公开工作年度报告/page.txt",
        "file_id": "67414163211",
        "original_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/ptzhsyqjjf/zfxxgknb/202101/"
                        "t20210127_80578.htm",
        "published": "2021-01-27 08:33 (发布时间 in the crawler's header; the report is signed 2021年1月26日)",
        "found_via": "search find_files in the archive (the departments' channels zwgk/zfxxgk/dfbmptlj/ptzhsyqbm/"
                     "<dept>/zfxxgknb, listed in each channel's README.md); read_file of page.txt (3,776 characters, "
                     "stored here unchanged)",
        "sha256": "431ac4c3872d2b70b6232b45f3a95378da414be6b2add47777668c3e8a9f7075",
    },
    file={"saved_as": ["pingtan_jingfaju_2020.txt"],
          "kind": "plain text: the crawler's flattening of the article (header lines, then the page's breadcrumb, "
                  "toolbar words and the article on one line; table cells apart by single spaces)"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    table2=[[0, 0, 0], [10, 10, 10], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], [0, "0"]],
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
        {"text": "主动公开政府信息117条（涵盖政策及规范性文件类10条……）", "claimed": 10,
         "cell": "table2.规范性文件.本年新公开数量"},
    ],
    notes=[
        "All of table 三 and table 四 is 0 (no applications, no 复议/诉讼); table 二 has only 规范性文件 10 / 10 / 10.",
        "政府集中采购 采购总金额 printed '0' (kept as the printed string, like other money cells).",
        "Table 三's group labels are split by a space in this text: '（三）不予 公开', '（四）无法 提供', '（五）不予 处理'; "
        "the heading '三、本年度办理结果' is printed; part 四's heading repeats the number 四 after table 三's row "
        "'四、结转下年度继续办理'.",
        "The body's '依申请公开274条、不予公开96条' count information items by disclosure attribute, not applications "
        "(table 三 has none); not a body claim on the table.",
        "The text carries the page's breadcrumb and toolbar ('当前位置：…', '微信 微博 QQ空间 全真版 文字版 文件下载') and "
        "a document number 岚经发〔2021〕17号 before the title; the closing line says '2020年1月26日印发' (the report is "
        "signed 2021年1月26日).",
    ],
)
