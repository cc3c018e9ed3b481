"""The `gkxl` command: a thin layer over the library, everything it says in Chinese.

Exit codes: 0 success; 1 a return has errors; 2 an input could not be read
or the call was wrong; 3 an unexpected internal error (a bug: please report).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from .. import __version__
from ..errors import GkxlError
from .chinese import _speak_chinese, _usage_zh

_speak_chinese()

app = typer.Typer(
    name="gkxl",
    help="政府信息公开工作年度报告统计表工具：生成模板、回收校验、逐级汇总、邮件收发。",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def default_year() -> int:
    """The report year by today's date (the policy lives in gkxl.collection.deadline; imported when asked)."""
    from ..collection.deadline import default_year as policy
    return policy()


def say(msg: str = "", err: bool = False) -> None:
    typer.echo(msg, err=err)


def fail(msg: str, code: int = 2) -> None:
    typer.echo(f"错误：{msg}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator:
    """A rich progress bar on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _version(value: bool) -> None:
    if value:
        say(f"gkxl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="显示版本号后退出。")) -> None:
    """政府信息公开工作年度报告统计表工具。"""


# ---------------------------------------------------------------- template

@app.command("template")
def template_cmd(
    out: Optional[Path] = typer.Argument(None, help="输出的模板文件（.xlsx）。使用 --roster 时不需要。"),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="报告年度（默认：10 月起为今年，之前为上一年）。"),
    agency: Optional[str] = typer.Option(None, "--agency", help="填报单位名称。"),
    code: Optional[str] = typer.Option(None, "--code", help="单位代码。"),
    region: str = typer.Option("", "--region", help="所属地区代码。"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单文件（CSV 或 xlsx），为每个单位各生成一份模板。"),
    out_dir: Optional[Path] = typer.Option(None, "--out-dir", "--out", help="与 --roster 一起使用：模板的输出目录。"),
    prior: Optional[List[Path]] = typer.Option(None, "--prior", help="上年度的报表（文件或目录），用于预填并锁定“上年结转”。"),
    form: str = typer.Option("gb2021", "--form", help="表单 id 或表单文件路径。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：全部 CPU 核）。"),
) -> None:
    """生成填报模板：单个文件，或按名单为每个单位各生成一份。"""
    from ..form import load_form
    from ..roster import Agency, load_roster
    from ..workbook.write import write_template, write_templates

    f = load_form(form)
    year = year or default_year()
    priors = _load_priors(f, prior) if prior else None
    if roster:
        if out_dir is None:
            fail("使用 --roster 时请用 --out-dir 指定输出目录")
        r = load_roster(roster)
        depts = [a for a in r if not a.is_rollup]
        with progress(len(depts), "生成模板") as tick:
            paths = write_templates(depts, out_dir, f, year=year, priors=priors, jobs=jobs, progress=tick)
        n_prior = sum(1 for a in depts if priors and a.code in priors)
        say(f"已为 {len(paths)} 个单位生成 {year} 年度模板，保存在 {out_dir}")
        if prior:
            say(f"其中 {n_prior} 个单位已按上年报表预填并锁定“上年结转”。")
        return
    if out is None:
        fail("请指定输出文件，例如：gkxl template 模板.xlsx，或使用 --roster 和 --out-dir")
    if (agency is None) != (code is None):
        fail("--agency 与 --code 需要同时给出")
    ag = Agency(code, agency, region) if code else None
    if ag is not None:
        from ..roster import CODE_RE
        if not CODE_RE.match(ag.code):
            fail(f"单位代码“{ag.code}”只能包含字母、数字、-、_、.")
    p = write_template(out, f, year=year, agency=ag, prior=(priors or {}).get(code or "") if priors else None)
    say(f"已生成 {year} 年度模板：{p}")


from . import check as _check_command  # noqa: E402  (registered here: `check` is listed after `template`)

_check_command.register(app)


@app.command("aggregate")
def aggregate_cmd(
    paths: Optional[List[Path]] = typer.Argument(None, help="报表文件或目录（可多个；可以包含下级地区的汇总表）。在工作目录中不给出时，汇总台账中各单位的当前版本。"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单文件（CSV 或 xlsx）：应报单位及地区层级。在工作目录中默认用其名单。"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="输出的汇总表（.xlsx），与模板同一格式。在工作目录中默认写入 输出/。"),
    region: Optional[str] = typer.Option(None, "--region", help="汇总哪个地区（名单中地区的代码或名称）；默认为名单的最上级地区。"),
    prior: Optional[List[Path]] = typer.Option(None, "--prior", help="上年度的报表或汇总表，用于跨年度检查。"),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="汇总年度（默认取多数报表的年度；一样多时需要指定）。"),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="同时输出长表 CSV：单位、地区、表、行、列、数值。"),
    include_failing: bool = typer.Option(False, "--include-failing", help="未通过检查的报表也参与汇总（会在各表注明）。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期：2026-01-31、2026/1/31 或 2026年1月31日；首次报送晚于此日的标为逾期。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：全部 CPU 核）。"),
    form: Optional[str] = typer.Option(None, "--form", help="没有 gkxl 标识的报表按哪个表单识别（默认 gb2021）。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help="工作目录（gkxl init 创建）；不给出文件时默认为当前目录。"),
) -> None:
    """逐级汇总：检查每份报表，按名单汇总，生成汇总表、完成情况和来源清单。

    退出码：0 范围内每个单位都已计入；1 有单位未报送、不通过或待确认；2 有文件无法读取或调用有误。
    """
    from ..collection.deadline import parse_deadline
    from ..form import load_form

    f = load_form(form) if form else None
    dl = parse_deadline(deadline) if deadline else None
    with contextlib.ExitStack() as stack:
        _aggregate(paths, roster, out, region, prior, year, csv_out, include_failing, dl, jobs, f, dir, stack)


def _aggregate(paths, roster, out, region, prior, year, csv_out, include_failing, dl, jobs, f, dir, stack) -> None:
    from ..files.outputs import refuse_overlap, write_together
    from ..rollup.write import rollup_bytes

    skipped: list = []
    led = None
    if not paths:
        from .ledger import folder
        led = stack.enter_context(folder(dir))
        roll, r, out, inputs = _aggregate_ledger(led, roster, out, region, prior, year, include_failing, dl, jobs, f)
    else:
        roll, r, inputs, skipped = _aggregate_paths(paths, roster, out, csv_out, region, prior, year,
                                                    include_failing, dl, jobs, f)
    if out.suffix.lower() != ".xlsx":
        fail(f"输出文件 {out} 应以 .xlsx 结尾")
    refuse_overlap([out] + ([csv_out] if csv_out else []), inputs)
    if led is None and out.parent.is_dir():
        from ..files.outputs import folder_lock
        stack.enter_context(folder_lock(out.parent))  # two roll-ups to one place never leave a mixed pair
    items = [(out, rollup_bytes(roll))]
    if csv_out:
        from ..rollup.longtable import write_long_csv
        items.append((csv_out, lambda fh: write_long_csv(roll, fh)))  # streamed: 4.5 GB at 100,000 returns
    write_together(items)
    if led is not None:
        led.event("aggregate", roll.region.code, None, f"汇总 {len(roll.parts)} 份，写入 {out}")
    say(format_rollup(roll, r))
    say(f"汇总表：{out}" + (f"；长表：{csv_out}" if csv_out else ""))
    for s in skipped:
        say(f"跳过：{s.path}：{s.reason}", err=True)
    if any(x.fate == "无法读取" and x.kind == "unreadable" for x in roll.submissions):
        raise typer.Exit(2)
    from ..collection import departments_done
    if not departments_done(roll.resolution):
        raise typer.Exit(1)


def _aggregate_ledger(led, roster, out, region, prior, year, include_failing, dl, jobs, f):
    """In a working folder: the current versions the ledger knows, with its marks. (roll, roster, out, inputs)"""
    from ..checks import PriorIndex
    from ..collection.folder import prior_index
    from ..rollup.aggregate import aggregate
    from ..roster import load_roster

    r = load_roster(roster) if roster else led.roster
    pidx = PriorIndex(prior, f) if prior else prior_index(led, f)
    received = led.files()
    confirmed, fb, rem = led.marks()
    if year is not None and year != led.year:
        fail(f"工作目录是 {led.year} 年度的，不能按 --year {year} 汇总")
    with progress(len(r), "读取并检查各单位的当前版本") as tick:
        roll = aggregate(None, r, region=region, year=led.year, prior=pidx, include_failing=include_failing,
                         form=f, deadline=dl or led.deadline, jobs=jobs, progress=tick, received=received,
                         confirmed=confirmed, feedback=fb, reminders=rem)
    if out is None:
        from ..collection.ledger import OUTPUTS
        out = led.root / OUTPUTS / f"{roll.region.code}-{roll.year}年度汇总表.xlsx"
    return roll, r, out, [x.path for x in received if x.path]


def _aggregate_paths(paths, roster, out, csv_out, region, prior, year, include_failing, dl, jobs, f):
    """Files and folders given: every entry read or skipped with its reason. (roll, roster, inputs, skipped)"""
    from ..checks import PriorIndex
    from ..collection.provenance import folder_provenance
    from ..files.outputs import refuse_overlap
    from ..rollup.aggregate import aggregate
    from ..roster import load_roster
    from ..workbook.scan import scan_paths

    if roster is None:
        fail("请用 --roster 指定名单文件（或在 gkxl init 创建的工作目录中运行）")
    if out is None:
        fail("请用 --out 指定输出的汇总表，例如 --out 汇总.xlsx")
    r = load_roster(roster)
    outs = [out] + ([csv_out] if csv_out else [])
    refuse_overlap(outs, [p for p in paths if p.is_file()])
    scan = scan_paths(paths, exclude=outs)
    if not scan.files:
        fail("没有找到要汇总的报表文件" + ("：" + "；".join(f"{s.path}：{s.reason}" for s in scan.skipped[:10])
                                  if scan.skipped else ""))
    pidx = PriorIndex(prior, f) if prior else None
    with progress(len(scan.files), "读取并检查报表") as tick:
        roll = aggregate(scan.files, r, region=region, year=year, prior=pidx, include_failing=include_failing,
                         form=f, deadline=dl, jobs=jobs, progress=tick,
                         provenance=folder_provenance(paths, scan.files))
    return roll, r, scan.files, scan.skipped


def format_rollup(roll, roster) -> str:
    """The console summary of a roll-up, in the words of the status board."""
    from collections import Counter

    from ..collection.board import summary_text
    from ..rollup.write import write_counts_block

    fates = Counter(x.fate for x in roll.submissions)
    lines = [f"{roll.region.name}（{roll.region.code}）{roll.year} 年度汇总完成：汇总了 {len(roll.parts)} 份报表"
             f"（{len(set(roll.members))} 个单位的数据）。", roll.policy]
    if fates:
        lines.append("输入文件：" + "，".join(f"{k} {v}" for k, v in fates.most_common()))
    lines.append(summary_text(roll.resolution, year=roll.year))
    notes = getattr(roster, "notes", [])
    lines += [f"说明：{n}" for n in notes]
    block = write_counts_block(roll)
    if block:
        lines.append(block)
    return "\n".join(lines)


@app.command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("demo-out"), "--out", "-o", help="输出目录（默认 ./demo-out）。"),
    samples: Optional[Path] = typer.Option(None, "--samples", help="示例数据目录（默认为代码目录中的 samples/）。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数。"),
) -> None:
    """用内置的示例数据走一遍完整流程：生成模板、对照上年检查、生成修改意见、逐级汇总。"""
    from ..demo import run_demo

    res = run_demo(out, samples, jobs=jobs)
    say(res.summary)


def _load_priors(form, paths: List[Path]):
    """Last year's values per agency code, from returns or roll-ups."""
    from ..checks import PriorIndex

    idx = PriorIndex(paths, form)
    for msg in idx.problems:
        say(f"提醒：上年报表无法读取，已跳过：{msg}", err=True)
    return idx.values()


# ---------------------------------------------------------------- entry

def _register_extensions() -> None:
    """Commands that live in their own modules (the working folder, mail, reports) add themselves here."""
    from . import ledger, mail, report
    for m in (mail, report, ledger):
        m.register(app)


_register_extensions()


def main(argv: list[str] | None = None) -> None:
    """Console entry point: a Chinese message and an exit code, never a traceback."""
    from ..files.outputs import install_signal_cleanup, silence_library_warnings
    install_signal_cleanup()  # SIGTERM stops workers and removes temporary files, like Ctrl-C
    silence_library_warnings()  # no English library warning reaches a clerk or coordinator
    try:
        rc = app(args=argv, prog_name="gkxl", standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except GkxlError as e:
        typer.echo(f"错误：{e}", err=True)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        typer.echo("已取消。", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        sys.exit(130)
    except Exception as e:  # click usage errors and the like
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            typer.echo(f"用法错误：{_usage_zh(e.format_message())}\n（运行 gkxl --help 或 gkxl 命令 --help 查看用法）",
                       err=True)
            sys.exit(2)
        if os.environ.get("GKXL_DEBUG"):
            raise
        typer.echo(f"内部错误：{type(e).__name__}: {e}\n（这是 gkxl 的缺陷，请把此信息和输入文件反馈给开发者；"
                   f"设置环境变量 GKXL_DEBUG=1 可查看详细信息。）", err=True)
        sys.exit(3)
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
