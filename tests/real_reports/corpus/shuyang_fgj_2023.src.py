# 沭阳县发展和改革局2023年政府信息公开年度报告 — typed from the page's markup (each <td> read in order, rowspan and
# colspan followed by hand). In table 三 only 自然人 and 总计 are printed; the five 法人或其他组织 cells of every row
# are printed blank (<o:p> </o:p>). N = a cell printed blank.
N = None


def nat(n):
    """A table 三 row with 自然人 and 总计 printed, the 法人或其他组织 cells blank."""
    return [n, N, N, N, N, N, n]


REPORT = dict(
    id="shuyang_fgj_2023", agency="沭阳县发展和改革局", year=2023,
    title="沭阳县发展和改革局2023年政府信息公开年度报告", region="江苏省宿迁市沭阳县", level="县级政府部门",
    source={
        "repo": "zxj6827111-blip/KIROGOVCOMPARE", "commit": "4f01c10d5c244be54ef2655701d3634c7d8e45fe",
        "path": "tests/沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局_2025-12-30.html",
        "file_id": "59738392304",
        "original_url": "http://www.shuyang.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml",
        "published": "2024-01-17 (公开日期 printed in the page's information table)",
        "found_via": "search find_repos 'nianbao' -> the same author's KIROGOVCOMPARE; find_files ext html; read_file "
                     "(95,630 characters: a capture of the whole page made 2025-12-30, read in full)",
    },
    file={"saved_as": ["shuyang_fgj_2023.html"],
          "kind": "HTML article: the page's information table, title and article (ucapcontent) as published; the "
                  "capture's own header block, the site's header, navigation, search form, scripts, style sheets "
                  "and footer iframe removed; style, face, width, valign, align, class, cellspacing, cellpadding "
                  "and bordercolor attributes removed; <span>/<font>/<o:p> runs (the year printed as '20' + '23' "
                  "in two runs), colspan and rowspan kept"},
    format={"table2": "2021 (国办公开办函〔2021〕30号), its second row labelled 规范性文件 (not 行政规范性文件)",
            "table3": "2021 (六) with 3 sub-rows; 法人或其他组织 columns printed blank"},
    liu_one_row=False,
    table2=[[0, 0, 0], [8, 0, 18], [0], [0], [0], ["0"]],
    table3=[
        nat(26), nat(0),                                 # 一, 二
        nat(26), nat(0),                                 # (一), (二)
        *[nat(0)] * 8,                                   # (三) 1-8
        *[nat(0)] * 3,                                   # (四) 1-3
        *[nat(0)] * 5,                                   # (五) 1-5
        *[nat(0)] * 3,                                   # (六) 1-3
        nat(26),                                         # (七)
        nat(0),                                          # 四
    ],
    table4=[0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    body_claims=[
        {"text": "2023年度我局共收到依申请信息公开26件", "claimed": 26, "cell": "table3.一.总计"},
    ],
    notes=[
        "Table 三 prints only the 自然人 and 总计 columns; every 商业企业/科研机构/社会公益组织/法律服务机构/其他 cell is "
        "blank (null, listed in blank_in_source; a reader takes them as nothing). Every printed sum holds.",
        "Table 二's second row is labelled 规范性文件 (the 2021 form says 行政规范性文件): 8 / 0 / 18.",
        "Table 四: 行政复议 尚未审结 1, 总计 1; no 诉讼.",
        "Title and headings say 政府信息公开年度报告 (without 工作); part 五 is headed 存在的主要问题及整改措施.",
    ],
)
