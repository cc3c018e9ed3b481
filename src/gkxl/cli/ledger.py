"""`gkxl init / add / status / assign / accept / reject / confirm / history`: the working folder's commands."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Iterator, List, Optional

import typer

DIR_HELP = "工作目录（gkxl init 创建；默认为当前目录）。"


@contextlib.contextmanager
def folder(dir: Optional[Path], *, write: bool = True) -> Iterator:
    """Open the working folder's ledger; commands that write hold the folder's lock."""
    from ..collection.folder import open_folder

    led = open_folder(dir)
    try:
        if write:
            try:
                from ..files.outputs import folder_lock
            except ImportError:  # pragma: no cover
                folder_lock = None
            if folder_lock is not None:
                def waiting(pid) -> None:
                    typer.echo(f"另一个 gkxl 命令（进程 {pid or '未知'}）正在使用工作目录 {led.root}，等待它结束……", err=True)
                with folder_lock(led.root, on_wait=waiting):
                    yield led
                return
        yield led
    finally:
        led.close()


def init_cmd(
    dir: Path = typer.Argument(..., help="要创建的工作目录。"),
    roster: Path = typer.Option(..., "--roster", help="名单文件（CSV 或 xlsx）：应报单位及地区层级。"),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="报告年度（默认：10 月起为今年，之前为上一年）。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期：2026-01-31、2026/1/31 或 2026年1月31日。"),
    prior: Optional[List[Path]] = typer.Option(None, "--prior", help="上年度的报表目录（文件、目录或汇总表），用于跨年度检查。"),
) -> None:
    """创建工作目录：台账（gkxl.db）、名单副本、收件目录。之后在该目录中运行其他命令，或用 --dir 指定。"""
    from . import default_year, say
    from ..collection.deadline import format_deadline, parse_deadline
    from ..collection.ledger import Ledger

    d = parse_deadline(deadline) if deadline else None
    for p in prior or []:
        if not p.exists():
            from ..errors import GkxlError
            raise GkxlError(f"上年报表 {p} 不存在", code="LEDGER_PRIOR", path=str(p))
    led = Ledger.init(dir, roster, year or default_year(), deadline=d, prior=prior or [])
    r = led.roster
    say(f"已创建工作目录 {dir}：{led.year} 年度，名单 {len(r)} 行"
        + (f"，截止日期 {format_deadline(d)}" if d else ""))
    for note in getattr(r, "notes", []):
        say(f"说明：{note}")
    say("下一步：在该目录中运行 gkxl collect 邮件来源（收取邮件）或 gkxl add 文件或目录（其他途径收到的报表），"
        "然后 gkxl status 查看完成情况。")
    led.close()


def add_cmd(
    paths: List[Path] = typer.Argument(..., help="收到的报表文件或目录（U 盘、聊天软件、共享目录……）。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：全部 CPU 核）。"),
    received: Optional[str] = typer.Option(None, "--received", help="实际收到的日期（默认为现在），如 2026-01-19；用于判断是否逾期和哪个版本在后。"),
) -> None:
    """把其他途径收到的报表加入台账：复制保存、检查、记录。没有变化的文件不会重复读取。"""
    from . import progress, say
    from ..collection.folder import prior_index

    when = None
    if received:
        from datetime import datetime, time
        from ..collection.deadline import BEIJING, parse_deadline
        when = datetime.combine(parse_deadline(received), time(12, 0), BEIJING)
    with folder(dir) as led:
        with progress(0, "加入台账") as tick:
            res = led.add_paths(paths, prior=prior_index(led), jobs=jobs, progress=tick, received=when)
        for p, why in res.skipped:
            say(f"跳过：{p}：{why}", err=True)
        say(f"新加入 {len(res.new)} 份" + (f"，{res.known} 份此前已加入且没有变化" if res.known else "")
            + (f"，跳过 {len(res.skipped)} 项（见上）" if res.skipped else ""))
        _after(led)


def _after(led) -> None:
    """The short board after anything arrives."""
    from ..collection.board import summary_text
    from . import say

    res = led.resolve()
    say(summary_text(res, year=led.year, deadline=led.deadline))


def status_cmd(
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="把完成情况写成 Excel 工作簿（.xlsx）。"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每个单位一个对象）。"),
    region: Optional[str] = typer.Option(None, "--region", help="只看这个地区（代码或名称）。"),
) -> None:
    """完成情况：每个单位的状态（未报送、待确认、不通过、通过、已确认……）、逾期、退回、催报。

    退出码：0 每个单位都已通过或已确认；1 还有单位未完成。
    """
    from ..collection.board import all_done, records, records_json, status_workbook, summary_text
    from . import say

    with folder(dir, write=out is not None) as led:
        res = led.resolve(region=region)
        if as_json:
            say(records_json(records(res, led.root)))
        else:
            say(summary_text(res, year=led.year, deadline=led.deadline))
        if out is not None:
            from ..files.outputs import atomic_write
            if out.suffix.lower() != ".xlsx":
                from ..errors import OutputError
                raise OutputError(f"输出文件 {out} 应以 .xlsx 结尾", code="OUTPUT_NAME", path=str(out))
            atomic_write(out, status_workbook(res, led.roster, title=f"{res.top.name} {led.year} 年度报表完成情况",
                                              root=led.root))
            if not as_json:
                say(f"完成情况表：{out}")
        if not all_done(res):
            raise typer.Exit(1)


def assign_cmd(
    file: str = typer.Argument(..., help="文件：台账编号（如 12）或文件路径。"),
    code: str = typer.Argument(..., help="这份报表应计入的单位代码。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
) -> None:
    """指定一份报表属于哪个单位（例如用了别的单位的表格填报）。决定会记入台账。"""
    from . import say
    from ..collection.folder import assign

    with folder(dir) as led:
        fid, c = assign(led, file, code)
        a = led.roster.get(c)
        say(f"已将文件 #{fid} 指定为 {a.name}（{c}）的报表。")
        _one(led, c)


def accept_cmd(
    file: str = typer.Argument(..., help="文件：台账编号（如 12）或文件路径。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
) -> None:
    """确认接收一份待确认的报表（按工作簿中的单位计入）。决定会记入台账。"""
    from . import say
    from ..collection.folder import accept

    with folder(dir) as led:
        fid = accept(led, file)
        row = led.file_row(fid)
        say(f"已接收文件 #{fid}，计入 {row['agency_name']}（{row['agency_code']}）。")
        _one(led, row["agency_code"])


def reject_cmd(
    file: str = typer.Argument(..., help="文件：台账编号（如 12）或文件路径。"),
    reason: str = typer.Option("", "--reason", help="拒收原因（必需，记入台账）。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
) -> None:
    """拒收一份文件：它不再计入任何单位。决定会记入台账。"""
    from . import say
    from ..collection.folder import reject

    with folder(dir) as led:
        fid = reject(led, file, reason)
        say(f"已拒收文件 #{fid}：{reason}")


def confirm_cmd(
    code: str = typer.Argument(..., help="单位代码。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
) -> None:
    """审核确认：该单位当前通过检查的版本已经人工审核，状态改为“已确认”。"""
    from . import say
    from ..collection.folder import confirm

    with folder(dir) as led:
        fid = confirm(led, code)
        say(f"已确认 {led.roster.get(code).name}（{code}）的文件 #{fid}。")


def history_cmd(
    code: str = typer.Argument(..., help="单位代码。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出。"),
) -> None:
    """一个单位的报送历史：每个版本的时间和结论，相邻版本之间改动了哪些单元格，以及所有决定和邮件记录。"""
    from . import say
    from ..collection.folder import history

    with folder(dir, write=False) as led:
        versions, log = history(led, code)
        a = led.roster.get(code) or led.roster.lookup(code)
        if as_json:
            say(json.dumps({"code": a.code, "name": a.name, "versions": [
                {"file_id": v.file_id, "file": v.path, "original_name": v.original_name, "received": v.received_at,
                 "fate": v.fate, "verdict": v.verdict, "errors": v.errors, "warnings": v.warnings, "reason": v.reason,
                 "changes": [{"cell": c, "before": b, "after": x} for c, b, x in v.changes]} for v in versions],
                "log": log}, ensure_ascii=False, indent=2, default=str))
            return
        say(f"{a.name}（{a.code}）的报送历史：{len(versions)} 个文件")
        verdict = {"pass": "通过", "fail": "不通过", "unreadable": "无法读取", "": "不是报表"}
        for i, v in enumerate(versions, 1):
            res = verdict.get(v.verdict, v.verdict) + (f"（错误 {v.errors} 项）" if v.verdict == "fail" else "")
            say(f"{i}. #{v.file_id} {v.received_at} {v.original_name or Path(v.path).name}：{res}；{v.fate}"
                + (f"（{v.reason}）" if v.reason else ""))
            if v.changes:
                shown = "；".join(f"{c} {b if b is not None else '空'} → {x if x is not None else '空'}"
                                  for c, b, x in v.changes[:15])
                say(f"   与上一版本相比改动 {len(v.changes)} 个单元格：{shown}" + ("……" if len(v.changes) > 15 else ""))
        if log:
            say("记录：")
            for d in log:
                what = d.get("action") or d.get("kind")
                say(f"  {d['at']} {what} {d.get('reason') or d.get('detail') or ''}".rstrip())


def _one(led, code: str) -> None:
    from . import say
    st = led.resolve().state(code)
    if st is not None:
        say(f"{st.agency.name}（{code}）现在的状态：{st.status}" + (f"（{st.detail}）" if st.detail else ""))


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
    app.command("add")(add_cmd)
    app.command("status")(status_cmd)
    app.command("assign")(assign_cmd)
    app.command("accept")(accept_cmd)
    app.command("reject")(reject_cmd)
    app.command("confirm")(confirm_cmd)
    app.command("history")(history_cmd)
