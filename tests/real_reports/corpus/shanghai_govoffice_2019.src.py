# 2019年上海市人民政府办公厅政府信息公开工作年度报告 — typed from the page's markup (each <td> read in order,
# rowspan/colspan followed by hand). N = a cell printed blank (&nbsp;).
N = None
B = [N] * 7

REPORT = dict(
    id="shanghai_govoffice_2019", agency="上海市人民政府办公厅", year=2019,
    title="2019年上海市人民政府办公厅政府信息公开工作年度报告", region="上海市", level="省级人民政府办公厅",
    source={
        "published": "2020-01-31 (发布日期 printed in the page), on 中国上海 www.shanghai.gov.cn",
        "found_via": "search find_string '上一年项目数量' -> a public GitHub file (a JavaScript data file of a "
                     "clone of the 中国上海 site) whose `content` string holds this report's article markup; the "
                     "search index's file id 18090078150 (read with read_file; the index does not name the "
                     "repository). The 2020 report of the same office (shanghai.gov.cn/nw12344/20210127/"
                     "dc2f6946248e4f5082644e0a17037633.html, in the search tool's pages corpus) says it published "
                     "its 2019 report.",
        "as_stored": "the article markup of that string with the JavaScript escaping undone and the cells' "
                     "nowrap/width attributes dropped; text, <p>, <br />, &nbsp;, colspan and rowspan as held",
    },
    file={"saved_as": ["shanghai_govoffice_2019.html"], "kind": "HTML article (2019 format, blank cells as &nbsp;)"},
    format={"table2": "2019 (国办公开办函〔2019〕60号)", "table3": "2019: (六)其他处理 printed as ONE row"},
    format_id="2019", liu_one_row=True,
    table2=[[13, 13, 524], [60, 60, 368], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0], [6, "251000元"]],
    table3=[
        [821, 35, N, N, 2, 1, 859],                     # 一
        [18, N, N, N, N, N, 18],                        # 二
        [258, 12, N, N, 1, 1, N],                       # (一) 予以公开 — 总计 printed blank
        [3, N, N, N, N, N, N],                          # (二)
        [14, N, N, N, N, N, N], B, B, B,                # (三) 1-4
        [5, N, N, N, N, N, N], [3, 1, N, N, N, N, N],   # (三) 5, 6
        B, [10, 2, N, N, N, N, N],                      # (三) 7, 8
        [252, 12, N, N, 1, N, N],                       # (四) 1
        [44, 3, N, N, N, N, N], [25, N, N, N, N, N, N], # (四) 2, 3
        [148, 1, N, N, N, N, N], [5, 4, N, N, N, N, N], # (五) 1, 2
        B, B, B,                                        # (五) 3-5
        B,                                              # (六) one row
        [767, 35, N, N, 2, 1, 805],                     # (七)
        [72, N, N, N, N, N, 72],                        # 四
    ],
    table4=[5, N, N, 2, 7, 8, N, N, 1, 9, N, N, N, N, N],
    body_claims=[
        {"text": "市政府办公厅代表市政府共受理政府信息公开申请859件", "claimed": 859, "cell": "table3.一.总计"},
        {"text": "答复政府信息公开申请805件", "claimed": 805, "cell": "table3.三.(七).总计"},
        {"text": "含上年度结转申请18件", "claimed": 18, "cell": "table3.二.总计"},
        {"text": "另有72件申请按照《条例》顺延到下年度答复", "claimed": 72, "cell": "table3.四.总计"},
        {"text": "予以公开及部分公开258件", "claimed": 258,
         "cell": [f"table3.{r}.{c}" for r in ("三.(一)", "三.(二)") for c in
                  ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "不予公开35件", "claimed": 35,
         "cell": [f"table3.三.(三).{i}.{c}" for i in range(1, 9) for c in
                  ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "因本机关不掌握等原因无法提供265件", "claimed": 265,
         "cell": [f"table3.三.(四).{i}.{c}" for i in range(1, 4) for c in
                  ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "不予处理158件", "claimed": 158,
         "cell": [f"table3.三.(五).{i}.{c}" for i in range(1, 6) for c in
                  ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "其他处理0件", "claimed": 0, "cell": [f"table3.三.(六).{c}" for c in
                                                   ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]},
        {"text": "信息公开类行政复议7件", "claimed": 7, "cell": "table4.行政复议.总计"},
        {"text": "诉讼9件", "claimed": 9,
         "cell": ["table4.行政诉讼.未经复议直接起诉.总计", "table4.行政诉讼.复议后起诉.总计"]},
    ],
    notes=[
        "Every 总计 of the result rows (一) to (六) is printed blank, as are most zero cells; (七) and the other "
        "totals are printed. Blank cells are null and listed in blank_in_source (a reader takes them as nothing).",
        "The body's '予以公开及部分公开258件' contradicts the table: (一) 258 + 12 + 1 + 1 = 272 and (二) 3, so 275 "
        "(258 is (一)'s 自然人 cell alone); its '占33.9%' of 805 is 273.",
        "The body's '因本机关不掌握等原因无法提供265件' is (四)1's row (252 + 12 + 1 = 265); the three (四) rows add "
        "to 337 (265 + 47 + 25): '等原因' names all of (四), so the body contradicts the table (its '占32.9%' is 265/805).",
        "The body's '均获维持' is contradicted in words by table 四 (复议 尚未审结 2, 直接起诉 尚未审结 1); not a number.",
        "Table 二 第二十条第（五）（六）项: the value rows' cells are spanned differently from the header (the first "
        "value spans columns 1–2, the header's 本年增/减 spans 2–3); three numbers under three headers, all 0.",
        "政府集中采购 采购总金额 printed '251000元' (the form's column states no unit): kept as printed.",
    ],
)
