# 淮安市洪泽区人民政府2024年政府信息公开工作年度报告 — typed from `pdftotext -layout hongze_2024.pdf`,
# table 四's columns confirmed with `pdftotext -bbox`.
REPORT = dict(
    id="hongze_2024", agency="淮安市洪泽区人民政府（报告由淮安市洪泽区人民政府办公室编制）", year=2024,
    title="淮安市洪泽区人民政府2024年政府信息公开工作年度报告", region="江苏省淮安市洪泽区", level="市辖区人民政府",
    source={
        "repo": "zxj6827111-blip/KIROGOVCOMPARE", "path": "sample_pdfs_v1/hzq2024_working.pdf",
        "commit": "011c608ab09e717d7a753e0534f1379a8a86100f",
        "sha256": "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a",
        "found_via": "search find_string '政府信息公开工作年度报告.pdf' -> the repo's test-PDF list; fetch of the repository",
        "pdf_metadata": "Title 政府信息公开工作年度报告; Creator WPS 文字(Jisupdf Editor); 5 pages",
        "source_quality": "PDF with a text layer as kept in a public repository of a peer project",
    },
    file={"saved_as": ["hongze_2024.pdf"], "kind": "PDF (text layer, WPS)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 layout with (六)其他处理 printed as ONE row"},
    liu_one_row=True,
    table2=[[0, 0, 0], [3, 0, 8], [9487], [2776], [84], ["7545"]],
    table3=[
        row(95), Z,                                   # 一, 二
        row(50), row(9),                                # (一), (二)
        Z, Z, row(1), Z, Z, row(1), row(1), Z,            # (三) 1-8
        row(31), row(1), Z,                             # (四) 1-3
        row(1), Z, Z, Z, Z,                           # (五) 1-5
        Z,                                          # (六) one row
        row(95),                                      # (七)
        Z,                                          # 四
    ],
    table4=[1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3],
    body_claims=[{"text": "2024 年，区政府办代表区政府受理政府信息公开申请 17 件", "claimed": 17,
                  "cell": "table3.一.总计"}],
    carry_over={"status": "pass", "prior": "hongze_2023",
                "note": "2023 四 (all 0) = 2024 二 (all 0); 现行有效件数: 规章 0 + 0 - 0 = 0, "
                        "行政规范性文件 5 + 3 - 0 = 8 (as printed)"},
    notes=[
        "The body says 受理政府信息公开申请 17 件 while table 三 一、本年新收 总计 is 95 (and 三.(七) 95): "
        "the report contradicts itself; both transcribed as printed.",
        "Row 三.(三).2 carries the same damaged label as 2023: '2.其他法律行政止公开'.",
        "The agency is titled 淮安市洪泽区人民政府 here and 洪泽区人民政府 in 2023: the same district government.",
    ],
)
