"""`gkxl report` and `gkxl import-report`: thin commands over gkxl.report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def _ledger_reports(dir, out, code, fmt, force) -> None:
    """One report per agency whose current version passes (or the one asked for)."""
    from .ledger import folder
    from ..collection import ST_CONFIRMED, ST_PASS
    from ..errors import GkxlError
    from ..collection.ledger import OUTPUTS
    from ..report import render_report

    if fmt not in ("docx", "html", "md"):
        raise GkxlError(f"--format 应为 docx、html 或 md，而不是“{fmt}”", code="REPORT_FORMAT")
    with folder(dir) as led:
        res = led.resolve()
        states = list(res.states.values())
        if code:
            st = res.state(code)
            if st is None:
                raise GkxlError(f"单位代码“{code}”不在名单中", code="LEDGER_CODE")
            states = [st]
        target = out or led.root / OUTPUTS / "年度报告"
        if code and out is not None and out.suffix:
            files = [(states[0], out)]
        else:
            target.mkdir(parents=True, exist_ok=True)
            files = [(st, target / f"{st.agency.code}.{fmt}") for st in states]
        made, not_ready = 0, []
        for st, dest in files:
            if st.current is None or (st.status not in (ST_PASS, ST_CONFIRMED) and not force):
                not_ready.append(f"{st.agency.name}（{st.status}）")
                continue
            render_report(st.current.path, dest, force=force)
            made += 1
        typer.echo(f"已生成 {made} 份年度报告：{target if not code else files[0][1]}")
        if not_ready:
            typer.echo(f"未生成（当前没有通过检查的版本）：{'、'.join(not_ready[:30])}"
                       + (f" 等 {len(not_ready)} 个" if len(not_ready) > 30 else ""))


def _audit(paths: list[Path], out: Optional[Path], as_json: bool, jobs: Optional[int]) -> int:
    """Audit, print, write; returns the exit code."""
    import json
    import sys

    from ..report.audit import (STATUS_ZH, audit_paths, category, exit_code, report_files, summary,
                                write_audit_workbook)

    files = report_files(paths)
    if not files:
        typer.echo("错误：没有找到年度报告文件（.pdf、.html、.mht、.docx、.txt、.md）", err=True)
        return 2
    missing = [p for p in files if not p.exists()]
    for p in missing:
        typer.echo(f"错误：{p} 不存在", err=True)
    if missing:
        return 2
    progress_cb = None
    bar = None
    if sys.stderr.isatty() and len(files) > 3 and not as_json:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("审计年度报告"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       transient=True)
        task = bar.add_task("", total=len(files))
        bar.start()
        progress_cb = lambda: bar.advance(task)  # noqa: E731
    try:
        audits = audit_paths(files, jobs=jobs, progress=progress_cb)
    finally:
        if bar is not None:
            bar.stop()
    if out is not None:
        write_audit_workbook(audits, out)
    s = summary(audits)
    if as_json:
        typer.echo(json.dumps({"summary": s, "reports": [a.to_dict() for a in audits]}, ensure_ascii=False,
                              indent=1))
    else:
        for a in audits:
            who = " ".join(x for x in (a.agency, f"{a.year} 年度" if a.year else "") if x)
            if a.status == "unreadable":
                typer.echo(f"✘ {a.path}：无法读取 —— {a.error}")
                continue
            mark = {"ok": "✔", "partial": "△"}.get(a.status, "✘")
            blank = f"，另有 {a.blank} 格印为空白（按 0 计）" if a.blank else ""
            typer.echo(f"{mark} {a.path}（{who or '未识别单位'}，{a.form_title}）：读出 {a.found}/{a.cells} 格"
                       f"（{a.completeness:.0%}）{blank}，{STATUS_ZH[a.status]}")
            for f in a.findings:
                typer.echo(f"    [{category(f)}·{f.rule}] {f.message}")
            if a.missing:
                typer.echo(f"    另有 {len(a.missing)} 项未能读出（已列入审计表“未读出”页）" if out else
                           f"    另有 {len(a.missing)} 项未能读出：")
                if out is None:
                    for line in a.missing[:40]:
                        typer.echo(f"      · {line}")
        typer.echo(f"共 {s['reports']} 份报告：{s['with_faults']} 份有问题（{s['faults']} 处），"
                   f"{s['partial']} 份未能全部读出，{s['unreadable']} 份无法读取；读出 {s['cells_read']}/{s['cells']} 格"
                   + (f"，另有 {s['cells_blank']} 格印为空白" if s['cells_blank'] else ""))
        if out is not None:
            typer.echo(f"审计表已写入 {out}")
    return exit_code(audits)


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit_cmd(
        paths: list[Path] = typer.Argument(..., metavar="年度报告或目录…", help="已发布的年度报告（.pdf、.html、.mht、.docx、.txt、.md），或存放它们的目录（含子目录）。"),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="写出审计表（.xlsx）：每份报告一行、每个问题一行、每个未读出的格一行。"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出（每份报告的完整度、问题、未读出的内容）。"),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：CPU 核数）。"),
    ) -> None:
        """审计已发布的年度报告：读出统计表，检查表内勾稽关系、正文数字与统计表是否一致、相邻年度是否衔接。

        退出码：0 未发现问题；1 有问题；2 有文件无法读取。
        """
        code = _audit(paths, out, as_json, jobs)
        raise typer.Exit(code)


    @app.command("report")
    def report_cmd(
        ret: Optional[Path] = typer.Argument(None, metavar="报表.xlsx", help="已填好的报表或汇总表（.xlsx）。在工作目录中不给出时，按台账中各单位的当前版本生成。"),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="输出的年度报告：.docx、.html 或 .md（按扩展名选择格式）；工作目录中为输出目录。"),
        force: bool = typer.Option(False, "--force", help="报表未通过检查时仍然生成，文档标注为“草稿”。"),
        code: Optional[str] = typer.Option(None, "--code", help="工作目录中：只生成这个单位的报告。"),
        fmt: str = typer.Option("docx", "--format", help="工作目录中批量生成时的格式：docx、html 或 md。"),
        dir: Optional[Path] = typer.Option(None, "--dir", help="工作目录（gkxl init 创建；默认为当前目录）。"),
    ) -> None:
        """生成政府信息公开工作年度报告（六个部分，统计表按标准格式排版）。

        报表未通过检查时拒绝生成（退出码 1），除非加 --force。
        """
        from ..report import render_report

        if ret is None:
            _ledger_reports(dir, out, code, fmt, force)
            return
        if out is None:
            typer.echo("错误：请用 --out 指定输出的年度报告，例如 --out 年度报告.docx", err=True)
            raise typer.Exit(2)

        res = render_report(ret, out, force=force)
        if res.status == "fail":
            typer.echo(f"提醒：报表有 {len(res.errors)} 处错误，已按 --force 生成草稿（文档已标注“草稿”，不得发布）。",
                       err=True)
        typer.echo(f"已生成年度报告：{out}")

    def _import_json(report: Path, out: Optional[Path], **kw) -> None:
        import json

        from ..errors import GkxlError

        try:
            _import_json_ok(report, out, **kw)
        except GkxlError as e:  # a script reading the JSON learns why too; the message goes to stderr as always
            typer.echo(json.dumps({"file": str(report), "error": str(e), "error_code": getattr(e, "code", "")},
                                  ensure_ascii=False, indent=1))
            raise

    def _import_json_ok(report: Path, out: Optional[Path], **kw) -> None:
        import json

        from ..report import import_report
        from ..report.importer import read_report

        if out is not None:
            res = import_report(report, out, **kw)
            d = {**res.mapped.to_dict(), "agency": res.agency, "code": res.code, "year": res.year,
                 "out": str(res.out), "warnings": res.warnings}
        else:
            m = read_report(report, year=kw.get("year"), form=kw.get("form"))
            d = {**m.to_dict(), "agency": kw.get("agency") or m.agency, "code": kw.get("code") or "",
                 "year": kw.get("year") or m.year, "out": None, "warnings": []}
        typer.echo(json.dumps({"file": str(report), **d}, ensure_ascii=False, indent=1))

    @app.command("import-report")
    def import_cmd(
        report: Path = typer.Argument(..., metavar="年度报告", help="已发布的年度报告：.pdf（有文字层）、.html、.mht（网页另存为单个文件）、.docx、.txt（网页、Word 或 PDF 复制出的文字）或 .md。"),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="输出的报表文件（.xlsx）；用 --json 时可省略。"),
        agency: Optional[str] = typer.Option(None, "--agency", help="单位名称（默认：从报告标题中识别）。"),
        code: Optional[str] = typer.Option(None, "--code", help="单位代码（用作 --prior 时需要）。"),
        year: Optional[int] = typer.Option(None, "--year", "-y", help="报告年度（默认：从报告标题中识别）。"),
        form: Optional[str] = typer.Option(None, "--form", help="表单 id 或表单文件路径（默认：按报告的年度和表格自动选择，如 gb2021、gb2021p6、gb2019）。"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出读出的每个数字（及其在原文中的位置）和未能对应的内容。"),
    ) -> None:
        """把已发布的年度报告读回为报表，供 gkxl check 核对其数字、或作为 --prior 的上年数据。

        按标签对应各行各栏；无法对应的内容不作猜测，留空并列出。
        """
        from ..report import import_report
        from ..roster import CODE_RE

        if code is not None and not CODE_RE.match(code):
            typer.echo(f"错误：单位代码“{code}”只能包含字母、数字、-、_、.", err=True)
            raise typer.Exit(2)
        if out is None and not as_json:
            typer.echo("错误：请用 --out 指定输出的报表文件（.xlsx），或用 --json 只输出读出的内容", err=True)
            raise typer.Exit(2)
        if as_json:
            _import_json(report, out, agency=agency, code=code, year=year, form=form)
            return
        res = import_report(report, out, agency=agency, code=code, year=year, form=form)
        m = res.mapped
        who = f"{res.agency or '（未知单位）'}{f'（{res.code}）' if res.code else ''}{f'{res.year} 年度' if res.year else ''}"
        typer.echo(f"已导入 {who}（表单：{res.form.title if res.form else ''}）：{len(m.values)} 个填报数字、"
                   f"{len(m.totals)} 个合计、{sum(1 for v in m.texts.values() if v)} 段文字，写入 {res.out}")
        for w in res.warnings:
            typer.echo(f"提醒：{w}", err=True)
        for n in m.notes:
            typer.echo(f"说明：{n}")
        if m.unmapped:
            typer.echo(f"以下 {len(m.unmapped)} 项未能对应（已留空，未作猜测，请核对原报告）：")
            for line in m.unmapped:
                typer.echo(f"  ✘ {line}")
        typer.echo(f"下一步：gkxl check {res.out}  （核对报告本身的数字）")
