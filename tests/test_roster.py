"""Rosters as coordinators really write them, and the reporting deadline."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from gkxl.deadline import deadline_end, format_deadline, is_late, parse_deadline
from gkxl.errors import GkxlError, RosterError
from gkxl.roster import ROLLUP, Agency, Roster, load_roster

HEAD = "单位代码,单位名称,所属地区,上级地区,邮箱,类型\n"


def write_csv(tmp_path, text: str, encoding: str = "utf-8", name: str = "名单.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def refused(path, code: str = "ROSTER_INVALID") -> str:
    with pytest.raises(RosterError) as e:
        load_roster(path)
    assert e.value.code == code, str(e.value)
    assert str(path) in str(e.value)
    return str(e.value)


# ---------------------------------------------------------------- shapes of real files

def test_gb18030_csv_with_title_row_and_coordinator_headers(tmp_path):
    text = ("2025年政府信息公开年报报送名单,,,,,\n"
            ",,,,,\n"
            "序号,填报单位,单位代码*,区县,联系人,手机\n"
            "1,　安平县教育局\u00a0,AP-01,安平县,张三,13800138000\n"
            "2,安平县财政局,AP-02,安平县,李四,0318-1234567\n")
    p = write_csv(tmp_path, text, "gb18030")
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")  # really a GB18030 file
    r = load_roster(p)
    a = r.get("AP-01")
    assert a is not None and a.name == "安平县教育局"  # full-width space and NBSP stripped
    assert (a.contact, a.phone, a.region) == ("张三", "13800138000", "安平县")
    assert r.get("AP-02").phone == "0318-1234567"
    assert [x.code for x in r.members(None)] == ["AP-01", "AP-02"]


def test_xlsx_merged_title_numeric_codes_trailing_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "2025年政府信息公开年报报送名单"
    ws.merge_cells("A1:F1")
    ws.append(["单位代码", "单位名称", "所属地区", "邮箱", "联系电话", "类型"])
    ws.append([101, "一局", "", "a@x.gov.cn", 13800138000, "部门"])
    ws.append([102.0, "二局", "", None, None, None])
    ws.append([7, "三局", None, None, None, None])
    ws["A5"].number_format = "000"  # a code typed as 007 in a column formatted 000
    ws.cell(row=3, column=30).number_format = "0"  # an empty but formatted cell far to the right
    ws.append([])
    p = tmp_path / "名单.xlsx"
    wb.save(p)
    r = load_roster(p)
    assert [a.code for a in r] == ["101", "102", "007"]
    assert r.get("101").phone == "13800138000"
    assert r.get("101").email == "a@x.gov.cn"


def test_header_found_only_in_first_ten_nonblank_rows(tmp_path):
    notes = "".join(f"说明{i},\n" for i in range(10))
    refused(write_csv(tmp_path, notes + "单位代码,单位名称\nA,甲\n"), "ROSTER_COLUMNS")
    r = load_roster(write_csv(tmp_path, notes[:-len("说明9,\n")] + "\n\n单位代码,单位名称\nA,甲\n"))
    assert r.get("A").name == "甲"


def test_header_only_roster_is_refused(tmp_path):
    msg = refused(write_csv(tmp_path, "2025年报送名单\n\n单位代码,单位名称,邮箱\n,,\n"), "ROSTER_EMPTY")
    assert "名单中没有任何单位" in msg and "第 3 行" in msg


def test_positional_agency_still_works():
    a = Agency("A", "甲", "R", "", "a@x.cn", "department")
    assert (a.contact, a.phone, a.is_rollup) == ("", "", False)


# ---------------------------------------------------------------- refusals

def test_codes_equal_but_for_case(tmp_path):
    msg = refused(write_csv(tmp_path, "报送名单\n单位代码,单位名称\nT01,甲\nT02,乙\nt01,丙\n"))
    assert "第 5 行" in msg and "与第 3 行仅大小写不同" in msg


def test_crlf_bcc_injection_in_email(tmp_path):
    p = write_csv(tmp_path, HEAD + 'A,甲,,,"a@x.gov.cn\r\nBcc: spy@evil.example",部门\n')
    msg = refused(p)
    assert "第 2 行" in msg and "邮箱" in msg
    assert "\\r\\nBcc" in msg  # shown escaped
    assert "\r" not in msg
    assert not any(line.startswith("Bcc") for line in msg.splitlines())


@pytest.mark.parametrize("cell", ["张三 <a@x.gov.cn>", "a@x", "a@x.gov.cn Bcc: b@y.cn", "a@@x.cn", "mailto:a@x.cn"])
def test_email_must_be_plain_addresses(tmp_path, cell):
    msg = refused(write_csv(tmp_path, HEAD + f'A,甲,,,"{cell}",部门\n'))
    assert "第 2 行" in msg and "不是有效的邮箱地址" in msg


@pytest.mark.parametrize("bad", ["\t", "\x7f", "\x85", "\u2028", "\x1b", "\r"])
def test_control_character_in_any_cell(tmp_path, bad):
    p = write_csv(tmp_path, "单位代码,单位名称,备注\nA,甲,\nB,\"乙" + bad + "局\",\n")
    msg = refused(p)
    assert "第 3 行 B 列（单位名称）" in msg and "控制字符" in msg
    assert bad not in msg


def test_control_character_in_unknown_column_too(tmp_path):
    msg = refused(write_csv(tmp_path, "单位代码,单位名称,备注\nA,甲,\"第一行\n第二行\"\n"))
    assert "第 2 行 C 列（备注）" in msg


# ---------------------------------------------------------------- regions

def test_implicit_region_by_name_with_note(tmp_path):
    text = ("单位代码,单位名称,所属地区,上级地区,类型\n"
            "HS,衡水市（汇总）,,,汇总\n"
            "A1,安平县教育局,安平县,,部门\nA2,安平县财政局,安平县,,部门\nA3,安平县卫健局,安平县,,部门\n"
            "H1,衡水市教育局,HS,,部门\n"
            "Z1,市直某局,,,部门\n")
    r = load_roster(write_csv(tmp_path, text))
    assert r.implicit_regions == ["安平县"]
    assert "所属地区“安平县”不在名单的汇总行中，已作为一个地区（3 个单位）" in r.notes
    assert "1 个单位没有所属地区，直接计入最上级" in r.notes
    ap = r.get("安平县")
    assert ap is not None and ap.kind == ROLLUP and ap.name == "安平县" and ap.parent == ""
    assert [a.code for a in r.members("安平县")] == ["A1", "A2", "A3"]
    assert r.regions_of(r.get("A1")) == ["安平县"]
    assert r.lookup(" 安平县 ") is ap


def test_implicit_region_by_code_without_rollup_rows(tmp_path):
    r = load_roster(write_csv(tmp_path, "单位代码,单位名称,所属地区\nA1,甲,R9\nA2,乙,r9\nA3,丙,\n"))
    assert r.implicit_regions == ["R9"]
    assert [(a.code, a.region) for a in r] == [("A1", "R9"), ("A2", "R9"), ("A3", ""), ("R9", "")]
    assert "所属地区“R9”不在名单的汇总行中，已作为一个地区（2 个单位）" in r.notes
    assert "1 个单位没有所属地区，直接计入最上级" in r.notes


def test_no_regions_no_notes(tmp_path):
    r = load_roster(write_csv(tmp_path, "单位代码,单位名称\nA1,甲\nA2,乙\n"))
    assert r.notes == [] and r.implicit_regions == []


def test_region_and_parent_given_by_rollup_name(tmp_path):
    text = ("单位代码,单位名称,所属地区,上级地区,类型\n"
            "HS,衡水市,,,汇总\n"
            "AP,安平县,,衡水市,汇总\n"
            "A1,安平县教育局,安平县,,部门\n"
            "A2,安平县财政局,ap,,部门\n")
    r = load_roster(write_csv(tmp_path, text))
    assert r.get("AP").parent == "HS"
    assert r.get("A1").region == "AP" and r.get("A2").region == "AP"
    assert r.implicit_regions == []
    assert r.regions_of(r.get("A1")) == ["AP", "HS"]
    assert any("安平县" in n and "AP" in n for n in r.notes)


def test_region_by_rollup_title_without_suffix(tmp_path):
    text = ("单位代码,单位名称,所属地区,上级地区,类型\n"
            "QH,清河市（汇总）,,,汇总\n"
            "QH01,清河县汇总,,清河市,汇总\n"
            "A1,清河市教育局,清河市,,部门\n"
            "B1,清河县教育局,清河县,,部门\n")
    r = load_roster(write_csv(tmp_path, text))
    assert r.implicit_regions == []
    assert (r.get("A1").region, r.get("B1").region, r.get("QH01").parent) == ("QH", "QH01", "QH")


def test_exact_rollup_name_wins_over_title_without_suffix(tmp_path):
    text = ("单位代码,单位名称,所属地区,上级地区,类型\n"
            "QH,清河市（汇总）,,,汇总\n"
            "QHBJ,清河市,,QH,汇总\n"
            "A1,清河市教育局,清河市,,部门\n")
    assert load_roster(write_csv(tmp_path, text)).get("A1").region == "QHBJ"


@pytest.mark.parametrize("text, needle", [
    # a parent that is neither a code nor a name of a 汇总 row stays an error
    ("HS,衡水市,,,汇总\nAP,安平县,,沧州市,汇总\n", "上级地区“沧州市”不在名单的汇总行中"),
    # a code-like region in a roster with 汇总 rows is a typo, not a new region
    # a region that is a department
    ("HS,衡水市,,,汇总\nA1,甲,HS,,部门\nA2,乙,A1,,部门\n", "是第 3 行的部门"),
    # two 汇总 rows with the same name: a name cannot say which
    ("X1,市本级,,,汇总\nX2,市本级,,,汇总\nA1,甲,市本级,,部门\n", "与多个汇总行的名称相同"),
])
def test_region_refusals(tmp_path, text, needle):
    msg = refused(write_csv(tmp_path, "单位代码,单位名称,所属地区,上级地区,类型\n" + text))
    assert needle in msg


def test_cycle_is_still_detected(tmp_path):
    text = ("单位代码,单位名称,所属地区,上级地区,类型\n"
            "R1,一,,R3,汇总\nR2,二,,R1,汇总\nR3,三,,R2,汇总\nS,自己,,S,汇总\nT,顶,,,汇总\nU,下,,T,汇总\n")
    msg = refused(write_csv(tmp_path, text))
    assert msg.count("地区层级出现循环") == 2
    assert "R1 → R3 → R2 → R1" in msg and "S → S" in msg and "T →" not in msg


# ---------------------------------------------------------------- size

def test_deep_chain_validates_in_linear_time(tmp_path):
    n = 5000
    lines = ["R0,地区0,,,汇总"] + [f"R{i},地区{i},,R{i - 1},汇总" for i in range(1, n)] + [f"A,甲,R{n - 1},,部门"]
    p = write_csv(tmp_path, "单位代码,单位名称,所属地区,上级地区,类型\n" + "\n".join(lines) + "\n")
    t = time.perf_counter()
    r = load_roster(p)
    assert time.perf_counter() - t < 2
    chain = r.regions_of(r.get("A"))
    assert len(chain) == n and chain[0] == f"R{n - 1}" and chain[-1] == "R0"
    assert len(r.members("R0")) == 1


def test_deep_cycle_found_fast(tmp_path):
    n = 5000
    lines = [f"R{i},地区{i},,R{(i - 1) % n},汇总" for i in range(n)]
    p = write_csv(tmp_path, "单位代码,单位名称,所属地区,上级地区,类型\n" + "\n".join(lines) + "\n")
    t = time.perf_counter()
    msg = refused(p)
    assert time.perf_counter() - t < 2
    assert msg.count("地区层级出现循环") == 1


def test_hundred_thousand_rows(tmp_path):
    lines = [f"C{i},县{i},,,汇总" for i in range(1000)]
    lines += [f"D{i:06d},单位{i},C{i % 1000},d{i}@x.gov.cn,部门" for i in range(99000)]
    p = write_csv(tmp_path, "单位代码,单位名称,所属地区,邮箱,类型\n" + "\n".join(lines) + "\n")
    t = time.perf_counter()
    r = load_roster(p)
    assert time.perf_counter() - t < 10  # linear is ~1 s; quadratic would be minutes
    assert len(r) == 100000 and r.notes == []
    assert len(r.members("C7")) == 99
    assert r.by_email("D98999@X.GOV.CN").code == "D098999"


# ---------------------------------------------------------------- look-ups

def test_emails_lookup_and_by_email(tmp_path):
    text = (HEAD +
            "A1,甲,,,\"a@x.gov.cn； B@x.gov.cn、c@x.gov.cn , a@X.gov.cn\",部门\n"
            "A2,乙,,,county@x.gov.cn,部门\n"
            "A3,丙,,,County@x.gov.cn d@x.gov.cn,部门\n"
            "A4,丁,,,,部门\n")
    r = load_roster(write_csv(tmp_path, text))
    a1 = r.get("A1")
    assert r.emails_of(a1) == ["a@x.gov.cn", "B@x.gov.cn", "c@x.gov.cn"]
    assert r.emails_of(r.get("A4")) == []
    assert r.by_email("b@X.GOV.CN") is a1
    assert r.by_email("甲 <C@x.gov.cn>") is a1
    assert r.by_email("county@x.gov.cn") is None  # shared by A2 and A3
    assert [a.code for a in r.agencies_by_email("COUNTY@x.gov.cn")] == ["A2", "A3"]
    assert r.by_email("d@x.gov.cn").code == "A3"
    assert r.by_email("nobody@x.gov.cn") is None
    assert r.lookup("a1") is a1 and r.lookup(" Ａ１\u3000") is a1 and r.lookup("A9") is None


def test_lookup_ambiguous_in_hand_built_roster():
    r = Roster([Agency("ab", "甲"), Agency("AB", "乙")])
    assert r.lookup("ab").name == "甲" and r.lookup("AB").name == "乙"
    assert r.lookup("Ab") is None


def test_region_chain_survives_hand_built_cycle():
    r = Roster([Agency("X", "甲", parent="Y", kind=ROLLUP), Agency("Y", "乙", parent="X", kind=ROLLUP)])
    assert r.region_chain("X") == ["X", "Y"] and r.region_chain("Y") == ["Y", "X"]


# ---------------------------------------------------------------- deadline

@pytest.mark.parametrize("text", ["2026-01-31", "2026/1/31", "2026年1月31日", " 2026-1-31 ", "2026/01/31",
                                  "２０２６年０１月３１日", "\u30002026-01-31\u3000"])
def test_deadline_accepted(text):
    assert parse_deadline(text) == date(2026, 1, 31)


@pytest.mark.parametrize("text", ["明天", "1/31", "2026-02-30", "", "   ", "2026.1.31", "2026-13-01",
                                  "2026-01-31 18:00", "31/1/2026", "2026年1月31"])
def test_deadline_refused(text):
    with pytest.raises(GkxlError) as e:
        parse_deadline(text)
    assert e.value.code == "DEADLINE"
    assert "截止日期" in str(e.value) and "2026/1/31" in str(e.value)


def test_deadline_message_names_the_input():
    with pytest.raises(GkxlError) as e:
        parse_deadline("明天")
    assert str(e.value) == "截止日期“明天”无法识别：请写成 2026-01-31、2026/1/31 或 2026年1月31日"


def test_deadline_end_and_format():
    end = deadline_end(date(2026, 1, 31))
    assert end.utcoffset() == timedelta(hours=8)
    assert end.astimezone(timezone.utc) < datetime(2026, 1, 31, 16, 0, tzinfo=timezone.utc)
    assert end.astimezone(timezone.utc) > datetime(2026, 1, 31, 15, 59, 59, tzinfo=timezone.utc)
    assert format_deadline(date(2026, 1, 31)) == "2026年1月31日"
    assert format_deadline(date(2026, 3, 5)) == "2026年3月5日"


@pytest.mark.parametrize("received, late", [
    ("2026-01-31T15:59:59Z", False),        # 23:59:59 in Beijing
    ("2026-01-31T16:00:00+00:00", True),    # midnight in Beijing
    ("2026-01-31T23:59:59", False),         # naive = Beijing
    ("2026-02-01T00:00:00", True),
    ("2026-01-31T23:30:00-05:00", True),    # still the 31st in New York, 1 Feb in Beijing
    ("2026-01-31T10:00:00-05:00", False),   # 23:00 in Beijing
    ("不是时间", False),
    ("", False),
    (None, False),
    (datetime(2026, 2, 1, 0, 0, 1, tzinfo=timezone(timedelta(hours=8))), True),
    (datetime(2026, 1, 31, 12, 0), False),
])
def test_is_late_around_midnight_in_beijing(received, late):
    assert is_late(received, date(2026, 1, 31)) is late


def test_is_late_without_deadline():
    assert is_late("2030-01-01T00:00:00+08:00", None) is False


def test_a_code_like_region_without_a_row_is_a_region_with_a_typo_note(tmp_path):
    r = load_roster(write_csv(tmp_path, "单位代码,单位名称,所属地区,上级地区,类型\nHS,衡水市,,,汇总\nA1,甲,HS2,,部门\n"))
    assert r.get("HS2") is not None and r.get("HS2").is_rollup and r.get("A1").region == "HS2"
    assert any("HS2" in n and "写错" in n for n in r.notes)
