"""The whole loop on the bundled samples, as a coordinator would run it in January:
templates out; the clerks' returns come back by mail into a working folder (its
ledger); checked against last year; feedback drafted for current failures only;
reminders drafted; the status board; the counties' roll-ups (as the counties
would send them) and the city's roll-up from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from .rollup.aggregate import Rollup, aggregate
from .errors import GkxlError
from .form import load_form
from .collection.ledger import BEIJING, MAILBOX, OUTPUTS, Ledger
from .checks.text import format_result, format_summary, to_json
from .rollup.write import write_rollup
from .roster import load_roster
from .files.tabular import write_csv
from .files.outputs import atomic_write
from .workbook.write import write_templates

DEADLINE = date(2026, 1, 20)


def samples_dir() -> Path:
    here = Path(__file__).resolve()
    for cand in (here.parents[2] / "samples", Path.cwd() / "samples"):
        if (cand / "roster.csv").exists():
            return cand
    raise GkxlError("找不到示例数据目录 samples/（应包含 roster.csv）；请在 gkxl 的代码目录中运行，或用 --samples 指定",
                    code="DEMO_SAMPLES")


@dataclass
class DemoResult:
    out: Path
    work: Path | None = None
    templates: list[Path] = field(default_factory=list)
    checked: int = 0
    passed: int = 0
    failed: int = 0
    unreadable: int = 0
    feedback: list[str] = field(default_factory=list)
    reminders: int = 0
    county_rollups: dict[str, Path] = field(default_factory=dict)
    city: Rollup | None = None
    city_path: Path | None = None
    summary: str = ""


def _mailbox(src: Path, year: int, roster, box: Path) -> int:
    """The clerks' replies as real messages: each sample return mailed from its agency's address, in January
    (a draft before its correction; one return after the deadline), with the file name the clerk gave it."""
    from email.header import Header
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    from email.utils import format_datetime

    from .workbook.read import read_identity
    from .workbook.xlsx import open_book

    box.mkdir(parents=True, exist_ok=True)
    files = sorted((src / str(year)).glob("*.xlsx"), key=lambda p: ("初稿" not in p.name, p.name))
    for i, p in enumerate(files):
        book = open_book(p)
        try:
            code = read_identity(book).get("agency_code", "")
        finally:
            book.close()
        a = roster.get(code)
        when = datetime(year + 1, 1, 6, 9, tzinfo=BEIJING) + timedelta(hours=7 * i)
        if code == "QH03-03":
            when = datetime(year + 1, 1, 22, 10, tzinfo=BEIJING)  # after the deadline
        msg = MIMEMultipart()
        msg["From"] = a.email if a and a.email else "clerk@example.gov.cn"
        msg["To"] = "gongkai@qinghe.example.gov.cn"
        msg["Subject"] = Header(f"{a.name if a else ''}{year}年度政府信息公开工作年度报告统计表", "utf-8")
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = f"<demo{i:03d}.{code}@qinghe.example.gov.cn>"
        msg.attach(MIMEText("附件是我单位的统计表，请查收。", "plain", "utf-8"))
        part = MIMEApplication(p.read_bytes(), "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        part.add_header("Content-Disposition", "attachment", filename=("gbk", "", p.name))
        msg.attach(part)
        (box / f"{i:03d}.eml").write_bytes(msg.as_bytes())
    return len(files)


def run_demo(out: str | Path = "demo-out", samples: str | Path | None = None, year: int = 2025,
             jobs: int | None = None) -> DemoResult:
    """The whole January on the bundled samples, in a working folder: templates, replies by mail, checks,
    feedback and reminders, county roll-ups sent up and summed into the city, the status board."""
    from .checks import PriorIndex
    from .mail import collect

    src = Path(samples) if samples else samples_dir()
    out = Path(out)
    work = out / "工作目录"
    if (work / "gkxl.db").exists():
        raise GkxlError(f"{out} 中已有上次示例运行的结果；请换一个 --out 目录，或先删除 {out}", code="DEMO_EXISTS")
    for sub in ("模板", "邮箱"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    form = load_form()
    roster = load_roster(src / "roster.csv")
    res = DemoResult(out, work)
    prior = PriorIndex([src / str(year - 1)])
    depts = [a for a in roster if not a.is_rollup]
    res.templates = write_templates(depts, out / "模板", form, year=year, priors=prior.values(), jobs=jobs)

    # January: the replies arrive by mail and go into the working folder's ledger
    n_mail = _mailbox(src, year, roster, out / "邮箱")
    led = Ledger.init(work, src / "roster.csv", year, deadline=DEADLINE, prior=[src / str(year - 1)])
    try:
        collect([str(out / "邮箱")], work / MAILBOX, roster=led.roster)
        led.ingest_collected(work / MAILBOX, prior=prior, jobs=jobs)
        _check_and_follow_up(led, res, prior)
        board_text = _roll_up(led, res, prior, year, jobs)
    finally:
        led.close()
    res.summary = _summary(res, src, year, n_mail, board_text)
    return res


def _check_and_follow_up(led: Ledger, res: DemoResult, prior) -> None:
    """Check every agency's current version; feedback drafts to current failures only (recorded once per
    version), reminder drafts to those who have not replied."""
    from .collection.folder import check_current, write_current_feedback
    from .collection.reminders import delivered, send_reminders
    from .mail import send_feedback

    out, work = res.out, res.work
    results, _ = check_current(led, prior=prior)
    res.checked = len(results)
    res.passed = sum(r.status == "pass" for r in results)
    res.failed = sum(r.status == "fail" for r in results)
    res.unreadable = sum(r.status == "unreadable" for r in results)
    report = "\n\n".join(format_result(r) for r in results) + "\n\n" + format_summary(results) + "\n"
    atomic_write(out / "检查报告.txt", report.encode("utf-8-sig"))
    atomic_write(out / "检查结果.json", to_json(results).encode("utf-8"))
    fb_dir, written = write_current_feedback(led, prior=prior, out_dir=work / OUTPUTS / "修改意见")
    if written:
        sent = send_feedback(fb_dir, roster=led.roster, collected=work / MAILBOX, drafts_dir=fb_dir / "邮件草稿",
                             deadline="2026年1月25日")
        done = delivered(sent, False)
        for code, fid in written:
            if code in done:
                led.event("feedback", code, fid, f"已写成草稿：{fb_dir}")
                res.feedback.append(code)
    rem, _ = send_reminders(led, drafts_dir=work / OUTPUTS / "催报")
    res.reminders = len(rem.drafts)


def _roll_up(led: Ledger, res: DemoResult, prior, year: int, jobs: int | None) -> str:
    """The counties roll up their agencies and send the roll-ups up; the city rolls up from them.
    Returns the status board's summary."""
    from .collection.board import status_workbook, summary_text

    summed = res.work / OUTPUTS
    for county in [a for a in led.roster if a.is_rollup and a.parent]:
        roll = aggregate(None, led.roster, region=county.code, year=year, prior=prior, jobs=jobs,
                         received=led.files(), deadline=DEADLINE)
        res.county_rollups[county.code] = write_rollup(roll, summed / f"{county.code}-{county.name}汇总表.xlsx")
    county_in = res.out / "县汇总表"
    county_in.mkdir(exist_ok=True)
    for p in res.county_rollups.values():
        (county_in / p.name).write_bytes(p.read_bytes())
    led.add_paths([county_in], prior=prior, jobs=jobs, received=datetime(year + 1, 1, 19, 16, tzinfo=BEIJING))
    confirmed, fb, rem_marks = led.marks()
    city = aggregate(None, led.roster, year=year, prior=prior, jobs=jobs, received=led.files(), deadline=DEADLINE,
                     confirmed=confirmed, feedback=fb, reminders=rem_marks)
    res.city = city
    res.city_path = write_rollup(city, summed / f"{city.region.code}-{city.region.name}.xlsx")
    write_csv(city.tidy(), summed / "长表.csv")
    board = led.resolve()
    atomic_write(summed / "完成情况.xlsx", status_workbook(board, led.roster, title=f"清河市 {year} 年度报表完成情况",
                                                        root=res.work))
    return summary_text(board, year=year, deadline=DEADLINE)


def _summary(res: DemoResult, src: Path, year: int, n_mail: int, board_text: str) -> str:
    out, work, city = res.out, res.work, res.city
    summed = work / OUTPUTS
    lines = [
        f"示例运行完成（{src}，{year} 年度）：",
        f"1. 为 {len(res.templates)} 个单位生成了填报模板（已按上年报表预填并锁定“上年结转”）：{out / '模板'}",
        f"2. 建立工作目录（台账）{work}，从邮箱 {out / '邮箱'} 收取 {n_mail} 封回信，每个附件都记入台账。",
        f"3. 检查了各单位的当前版本 {res.checked} 份（对照上年）：通过 {res.passed} 份，不通过 {res.failed} 份，"
        f"无法读取 {res.unreadable} 份。检查报告：{out / '检查报告.txt'}",
        f"4. 只为当前版本不通过的单位生成了修改意见和邮件草稿（{len(res.feedback)} 个单位）：{summed / '修改意见'}；"
        f"催报邮件草稿 {res.reminders} 封：{summed / '催报'}",
        f"5. 汇总了 {len(res.county_rollups)} 个县，县汇总表作为各县报送的报表加入台账，再汇总出全市："
        f"{res.city_path}（共 {len(set(city.members))} 个单位的数据）；长表：{summed / '长表.csv'}",
        f"6. 完成情况表：{summed / '完成情况.xlsx'}（也可在工作目录中运行 gkxl status）",
        "",
        board_text,
        "",
        city.policy,
        f"之后可以在工作目录中继续：cd {work} && gkxl status / gkxl history QH-03 / gkxl send reminders …",
    ]
    return "\n".join(lines)
