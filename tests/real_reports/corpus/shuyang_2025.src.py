# 沭阳县人民政府2025年政府信息公开工作年度报告 — a markdown extraction of the report (as stored in the source
# repository; its text reads 沐阳 for 沭阳 throughout, an extraction misreading kept as found), typed from reading the
# file. Table 三 is cut into one markdown table per row group with placeholder headers (数据1..数据6 for the six
# applicant columns), and its last four rows sit under a wrong header row (本年新收件数, 上年结转件数, 予以公开 …) that
# the extraction made up: those rows are read by their place (自然人 … 其他, 总计), as every other row of the table,
# which their own sums confirm (142 + 1 = 143, 710 + 3 + 5 = 718, 一 + 二 = (七) + 四 in every column).
REPORT = dict(
    id="shuyang_2025", agency="沭阳县人民政府 (printed 沐阳县人民政府 in this extraction)", year=2025,
    title="沭阳县人民政府2025年政府信息公开工作年度报告", region="江苏省宿迁市沭阳县", level="县级人民政府",
    source={
        "repo": "zxj6827111-blip/KIROGOVCOMPARE", "commit": "6b4833ab9ea9ce4920523ba4389417a7749105d1",
        "path": "tests/沭阳县人民政府2025年政府信息公开工作年度报告-沭阳县人民政府.txt", "file_id": "60024122751",
        "published": "dated 2026-01-23 in the report",
        "found_via": "search find_repos 'nianbao' -> the same author's KIROGOVCOMPARE; find_files ext txt; read_file "
                     "(6,728 characters, stored here unchanged as .md: its content is markdown)",
    },
    file={"saved_as": ["shuyang_2025.md"], "kind": "markdown extraction of the published report (headings as #, tables "
                                                  "as pipe tables, table 三 split into per-group tables)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 (六) with 3 sub-rows"},
    liu_one_row=False,
    table2=[[0, 0, 0], [6, 1, 32], [517645], [693957], [2154], ["4068.208"]],
    table3=[
        row(705, 3, 0, 0, 5), row(36),                  # 一, 二
        row(290, 1, 0, 0, 3), row(99, 0, 0, 0, 2),      # (一), (二)
        Z, Z, row(2), row(2), row(13), row(2), row(4), row(9),   # (三) 1-8
        row(111), row(2), Z,                            # (四) 1-3
        row(12), row(6, 1), Z, Z, Z,                    # (五) 1-5
        row(9), row(7), row(142, 1),                    # (六) 1-3
        row(710, 3, 0, 0, 5),                           # (七)
        row(31),                                        # 四
    ],
    table4=[27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 8, 0, 1, 1, 10],
    body_claims=[
        {"text": "全县全年共受理政府信息公开申请 749 件", "claimed": 749, "cell": ["table3.一.总计", "table3.二.总计"]},
        {"text": "其中自然人申请 741 件", "claimed": 741, "cell": ["table3.一.自然人", "table3.二.自然人"]},
        {"text": "法人或其他组织申请 8 件", "claimed": 8,
         "cell": [f"table3.{r}.{c}" for r in ("一", "二") for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "共办理 718 件", "claimed": 718, "cell": "table3.三.(七).总计"},
        {"text": "结转下一年 31 件", "claimed": 31, "cell": "table3.四.总计"},
        {"text": "全县共办理相关案件 74 件", "claimed": 74,
         "cell": ["table4.行政复议.总计", "table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
    ],
    notes=[
        "The body's 受理 749 件 is 新收 713 + 上年结转 36 (not 一 alone); 自然人 741 = 705 + 36; 法人 8 = 3 + 5.",
        "(六) is headed '(六) 其他' in the extraction (the form: 其他处理).",
        "The three table 三 header tables (申请人情况 (自然人) / (法人或其他组织) / (总计)) hold only '-' placeholders.",
        "Table 四 is printed as three separate tables (行政复议; 行政诉讼（未经复议直接起诉）; 行政诉讼（复议后起诉）).",
        "Fee printed 4068.208 (万元).",
    ],
)
