"""`gkxl check`: read and check returns (files, folders, or a working folder's current versions), print
the report in Chinese or JSON, write feedback for failures."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import List, Optional

import typer

from . import fail, progress, say


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_cmd(
        paths: Optional[List[Path]] = typer.Argument(None, help="要检查的报表文件或目录（可多个）。在工作目录中不给出时，检查台账中各单位的当前版本。"),
        prior: Optional[List[Path]] = typer.Option(None, "--prior", help="上年度的报表（文件、目录或汇总表），用于跨年度检查。"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果（每份报表一个对象的列表）。"),
        feedback_dir: Optional[Path] = typer.Option(None, "--feedback-dir", help="为每份不通过的报表生成带批注的副本和修改意见。"),
        year: Optional[int] = typer.Option(None, "--year", "-y", help="预期的报告年度；年度不符的报表会被标出。"),
        agency: Optional[str] = typer.Option(None, "--agency", help="预期的单位代码（检查单个文件时）。"),
        form: Optional[str] = typer.Option(None, "--form", help="没有 gkxl 标识的报表按哪个表单识别（默认 gb2021）。"),
        show_info: bool = typer.Option(False, "--verbose", "-v", help="同时列出“说明”级别的信息（如以文本保存的数字）。"),
        dir: Optional[Path] = typer.Option(None, "--dir", help="工作目录（gkxl init 创建）；不给出文件时默认为当前目录。"),
        all_files: bool = typer.Option(False, "--all", help="在工作目录中：检查台账中的全部文件，而不只是各单位的当前版本。"),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：全部 CPU 核；文件少时不启动子进程）。"),
    ) -> None:
        """检查报表：表内勾稽关系、跨年度衔接、结构是否被改动。

        退出码：0 全部通过；1 有报表存在错误；2 有文件无法读取或调用有误。
        """
        from ..form import load_form

        f = load_form(form) if form else None
        with contextlib.ExitStack() as stack:
            _check(paths, prior, as_json, feedback_dir, year, agency, f, show_info, dir, all_files, stack, jobs)


def _check(paths, prior, as_json, feedback_dir, year, agency, f, show_info, dir, all_files, stack, jobs=None) -> None:
    from ..checks import PriorIndex

    skipped: list = []
    led = None
    if not paths:
        from .ledger import folder
        from ..collection.folder import check_current, prior_index
        led = stack.enter_context(folder(dir))
        pidx = PriorIndex(prior, f) if prior else prior_index(led, f)
        with progress(0, "检查报表") as tick:
            results, _ = check_current(led, all_files=all_files, prior=pidx, progress=tick)
        if not results:
            say("台账中还没有可检查的报表。")
    else:
        results, skipped, pidx = _check_paths(paths, prior, year, agency, f, jobs, keep_return=bool(feedback_dir))
    replaced = {} if led is not None else _replaced(results)
    if feedback_dir:
        from ..checks.feedback import write_feedback
        used: set[str] = set()
        for r in results:
            if r.status == "fail" and r.path not in replaced:
                last = pidx.for_return(r.ret) if pidx is not None and r.ret is not None else None
                write_feedback(r, feedback_dir, used=used, prior=last)
    _print_check(results, replaced, as_json, show_info, feedback_dir)
    for s in skipped:
        say(f"跳过：{s.path}：{s.reason}", err=True)
    if any(r.status == "unreadable" for r in results):
        raise typer.Exit(2)
    if any(r.status == "fail" for r in results):
        raise typer.Exit(1)


def _check_paths(paths, prior, year, agency, f, jobs, keep_return):
    """`check FILE|DIR…`: every entry read or skipped with its reason; (results, skipped, priors)."""
    from ..checks import PriorIndex
    from ..checks.batch import check_files
    from ..workbook.scan import scan_paths

    scan = scan_paths(paths)
    if not scan.files:
        fail("没有找到要检查的文件" + ("：" + "；".join(f"{s.path}：{s.reason}" for s in scan.skipped[:10])
                                if scan.skipped else ""))
    pidx = PriorIndex(prior, f) if prior else None
    if pidx is not None:
        for msg in pidx.problems:
            say(f"提醒：上年报表无法读取，已跳过：{msg}", err=True)
        if not len(pidx):
            fail("--prior 中没有可用的上年报表")
    with progress(len(scan.files), "检查报表") as tick:
        results = check_files(scan.files, prior=pidx, form=f, expect_agency=agency, expect_year=year, jobs=jobs,
                              progress=tick, keep_return=keep_return)
    return results, scan.skipped, pidx


def _print_check(results, replaced, as_json, show_info, feedback_dir) -> None:
    from ..checks.text import format_result, format_summary, to_json

    if as_json:
        say(to_json(results))
        return
    for r in results:
        say(format_result(r, show_info=show_info))
        if r.path in replaced:
            say(f"  （同一单位后来又报送了 {Path(replaced[r.path].path).name}，本文件已被替代"
                + ("，不生成修改意见）" if feedback_dir else "）"))
        say()
    say(format_summary(results))
    if replaced:
        say(f"其中 {len(replaced)} 份已被同一单位后来报送的版本替代。")
    if feedback_dir:
        n = sum(r.status == "fail" and r.path not in replaced for r in results)
        say(f"已为 {n} 份不通过的报表生成修改意见，保存在 {feedback_dir}")


def _replaced(results) -> dict:
    """Plain `check`: files replaced by a later return of the same agency (mail time, then the workbook's)."""
    if len(results) < 2:
        return {}  # one file replaces nothing (and `gkxl check ONE.xlsx` stays quick)
    from ..rollup.aggregate import received_of
    from ..collection import superseded_among
    from ..collection.provenance import mail_info

    info = mail_info([r.path for r in results])
    files = [received_of(r.packed(), i, info.get(r.path)) for i, r in enumerate(results)]
    return superseded_among(files)
