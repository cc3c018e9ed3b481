# 洪泽区人民政府2023年政府信息公开工作年度报告 — typed from `pdftotext -layout hongze_2023.pdf`,
# table 四's columns confirmed with `pdftotext -bbox` (x of each number under its header).
REPORT = dict(
    id="hongze_2023", agency="洪泽区人民政府（报告由淮安市洪泽区人民政府办公室编制）", year=2023,
    title="洪泽区人民政府2023年政府信息公开工作年度报告", region="江苏省淮安市洪泽区", level="市辖区人民政府",
    source={
        "repo": "zxj6827111-blip/KIROGOVCOMPARE", "path": "sample_pdfs_v1/hzq2023_working.pdf",
        "commit": "011c608ab09e717d7a753e0534f1379a8a86100f",
        "sha256": "94a211353fb046b7c869cbb236078deb4d1f7085bd0c2b0dbf85051ec831698c",
        "found_via": "search find_string '政府信息公开工作年度报告.pdf' -> the repo's test-PDF list; fetch of the repository",
        "pdf_metadata": "Title 洪泽区人民政府2023年政府信息公开工作年度报告; Creator WPS 文字(Jisupdf Editor); 5 pages",
        "source_quality": "PDF with a text layer as kept in a public repository of a peer project (the district "
                          "government's own PDF; the file name says _working, the content is the published report)",
    },
    file={"saved_as": ["hongze_2023.pdf"], "kind": "PDF (text layer, WPS)"},
    format={"table2": "2021 (国办公开办函〔2021〕30号)", "table3": "2021 layout with (六)其他处理 printed as ONE row"},
    liu_one_row=True,
    table2=[[0, 0, 0], [0, 5, 5], [550], [4119], [195], ["7730.28"]],
    table3=[
        row(21), Z,                                   # 一, 二
        Z, row(4),                                    # (一) 予以公开, (二) 部分公开
        row(1), Z, Z, Z, Z, row(1), row(1), Z,            # (三) 1-8
        row(10), row(3), Z,                             # (四) 1-3
        row(1), Z, Z, Z, Z,                           # (五) 1-5
        Z,                                          # (六) 其他处理 (one row)
        row(21),                                      # (七) 总计
        Z,                                          # 四、结转下年度继续办理
    ],
    table4=[10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0],
    body_claims=[{"text": "2023 年全区受理政府信息公开申请 21 件", "claimed": 21, "cell": "table3.一.总计"}],
    notes=[
        "Table 四 prints 行政复议 总计 0 while its results are 10 + 1 + 0 + 0 = 11, and 复议后起诉 总计 0 while "
        "its results are 5 + 0 + 0 + 0 = 5 (the report's own fault; both totals transcribed as printed).",
        "Row 三.(三).2 is printed with a damaged label: '2.其他法律行政止公开' (for 2.其他法律行政法规禁止公开); "
        "its numbers sit in the second of the eight (三) rows.",
        "The body's '主动公开政府信息 1136 条' and '信息处理费 0 元' are not table cells.",
    ],
)
