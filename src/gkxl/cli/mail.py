"""`gkxl collect` and `gkxl send`: thin commands over gkxl.mail."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

send_app = typer.Typer(help="给各单位发送邮件：下发模板、退回修改意见。默认只生成邮件草稿（.eml）供检查。",
                       no_args_is_help=True, rich_markup_mode=None,
                       context_settings={"help_option_names": ["-h", "--help"]})


def _prompt(what: str):
    """A password prompt, only where a person can answer it."""
    if not sys.stdin.isatty():
        return None

    def ask() -> str:
        import getpass
        return getpass.getpass(f"请输入{what}密码（不会显示）：")
    return ask


def collect_cmd(
    sources: List[str] = typer.Argument(..., help="邮件来源：.eml 文件、.eml 所在文件夹、mbox 文件、Maildir 文件夹，"
                                                  "或 imaps://用户名@服务器[:端口]/文件夹（可多个）。"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="保存目录：报表按单位代码分文件夹保存，并生成收取清单 manifest.csv。在工作目录中不给出时，收入台账。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help="工作目录（gkxl init 创建）；不给出 --out 时默认为当前目录。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="检查报表的并行进程数。"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单文件：发件人与名单中该单位的邮箱不符时给出提醒。"),
    allow_plain: bool = typer.Option(False, "--allow-plain", help="允许不加密的 imap://（仅用于可信的本机网络）。"),
    ca_file: Optional[Path] = typer.Option(None, "--ca-file", help="验证邮件服务器证书所用的 CA 证书文件（单位内部证书时使用）。"),
    max_size: float = typer.Option(50, "--max-size", help="单个附件的大小上限（MB），超过的不保存，记为“过大”。"),
) -> None:
    """收取报表：从邮件中取出每个表格附件，按单位保存，并记入收取清单。

    单位以工作簿内的标识为准，而不是文件名或发件人。重复运行不会重复保存。
    IMAP 密码从环境变量 GKXL_IMAP_PASSWORD 读取，未设置时提示输入。
    """
    from . import progress, say
    from ..roster import load_roster

    if out is None:
        from .ledger import folder
        from ..collection.ledger import MAILBOX
        from ..collection.folder import prior_index
        with folder(dir) as led:
            _collect(sources, led.root / MAILBOX, load_roster(roster) if roster else led.roster, allow_plain, ca_file,
                     max_size, exit_on_problem=False)
            with progress(0, "检查并记入台账") as tick:
                added = led.ingest_collected(led.root / MAILBOX, prior=prior_index(led), jobs=jobs, progress=tick)
            say(f"记入台账 {len(added.new)} 项（报表、无法使用的附件和没有附件的回信都会记录）。")
            from .ledger import _after
            _after(led)
        return
    _collect(sources, out, load_roster(roster) if roster else None, allow_plain, ca_file, max_size)


def _collect(sources, out: Path, r, allow_plain: bool, ca_file, max_size: float, exit_on_problem: bool = True) -> None:
    from . import progress, say
    from ..mail import collect
    from ..mail import manifest as mf

    with progress(0, "收取邮件") as tick:
        res = collect(sources, out, roster=r, password=_prompt(" IMAP "), allow_plain=allow_plain,
                      ca_file=str(ca_file) if ca_file else None, max_size=int(max_size * 1024 * 1024),
                      progress=tick)
    for w in res.warnings:
        say(f"提醒：{w}", err=True)
    for row in res.rows:
        if row["record"] == mf.ATTACHMENT and row["fate"] in (mf.UNREADABLE, mf.UNSUPPORTED, mf.TOO_LARGE):
            say(f"提醒：{row['sender']} 的附件“{row['attachment_name']}”{row['fate']}：{row['detail']}", err=True)
    for p in res.problems:
        say(f"错误：{p}", err=True)
    n_att = sum(1 for row in res.rows if row["record"] == mf.ATTACHMENT)
    parts = [f"{fate} {res.count(fate)}" for fate in (mf.SAVED, mf.DUPLICATE, mf.SUPERSEDED, mf.UNIDENTIFIED_FATE,
                                                       mf.UNREADABLE, mf.UNSUPPORTED, mf.NOT_SPREADSHEET, mf.TOO_LARGE)
             if res.count(fate)]
    say(f"新收邮件 {res.new_messages} 封" + (f"（另有 {res.skipped_messages} 封此前已收取，跳过）" if res.skipped_messages else "")
        + f"，附件 {n_att} 个" + (f"：{'，'.join(parts)}" if parts else ""))
    say(f"报表保存在 {out}，收取清单：{mf.manifest_path(out)}")
    if res.problems and exit_on_problem:
        raise typer.Exit(2)


def _report(res, sending: bool) -> None:
    from . import say

    for s in res.skipped:
        say(f"提醒：{s}", err=True)
    if res.drafts:
        say(f"已生成 {len(res.drafts)} 封邮件草稿，保存在 {res.drafts[0].parent}"
            + ("" if sending else "；检查无误后加 --smtp 发送"))
    if sending:
        say(f"已发送 {len(res.sent)} 封" + (f"，此前已发送 {len(res.already)} 封（跳过）" if res.already else ""))
        for key in res.uncertain:
            say(f"提醒：{key} 上次发送时被中断，无法确定是否已发出，未重发；请确认对方是否收到，需要时加 --resend {key}",
                err=True)
        for f in res.failed:
            say(f"发送失败：{f}", err=True)
        if res.stopped:
            say(f"错误：{res.stopped}", err=True)
        if res.log:
            say(f"发送记录：{res.log}")
    if not res.jobs and not res.drafts:
        say("没有可发送的邮件。")
    if res.failed or res.stopped:
        raise typer.Exit(2)


def _common(kind: str, show_template: bool) -> None:
    if show_template:
        from ..mail.compose import DEFAULT_TEMPLATES
        typer.echo(DEFAULT_TEMPLATES[kind], nl=False)
        raise typer.Exit(0)


_DRAFTS = "把邮件写成 .eml 草稿保存到此目录（不给 --smtp 时默认为 目录/邮件草稿）。"
_SMTP = "发送：smtps://用户名@服务器:端口（或 smtp:// 加 STARTTLS）；密码从环境变量 GKXL_SMTP_PASSWORD 读取或提示输入。"

# options every send command shares (one definition, one wording)
_O_SMTP = typer.Option(None, "--smtp", help=_SMTP)
_O_MESSAGE_TEMPLATE = typer.Option(None, "--message-template", help="邮件模板文件（第一行“主题：……”，其后为正文）。")
_O_DRAFTS = typer.Option(None, "--drafts", help=_DRAFTS)
_O_CA_FILE = typer.Option(None, "--ca-file", help="验证邮件服务器证书所用的 CA 证书文件。")
_O_SHOW_TEMPLATE = typer.Option(False, "--show-template", help="显示默认的邮件模板后退出（可另存后修改）。")
_O_ALLOW_PLAIN = typer.Option(False, "--allow-plain", help="允许不加密的 smtp://（仅用于可信的本机网络）。")
_O_RATE = typer.Option(20, "--rate", help="每分钟最多发送的邮件数。")
_O_FROM = typer.Option("", "--from", help="发件人邮箱（默认为 SMTP 用户名）。")
_O_FROM_NAME = typer.Option("", "--from-name", help="发件人显示名称，例如 某某市政府办公室。")
_O_RESEND = typer.Option(None, "--resend", help="即使记录为已发送，也重新发给这个单位（单位代码，可多次）。")
_O_LOG = typer.Option(None, "--log", help="发送记录文件（默认为 目录/.gkxl-sent.csv），中断后据此续发。")


@send_app.command("templates")
def send_templates_cmd(
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单文件（收件地址取“邮箱”列）。必需。"),
    dir: Optional[Path] = typer.Option(None, "--dir", help="模板目录：gkxl template --roster 生成的 单位代码.xlsx。必需。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="报送截止日期，填入邮件正文，例如 2026年1月20日。"),
    message_template: Optional[Path] = _O_MESSAGE_TEMPLATE,
    show_template: bool = _O_SHOW_TEMPLATE,
    drafts: Optional[Path] = _O_DRAFTS,
    smtp: Optional[str] = _O_SMTP,
    sender: str = _O_FROM,
    sender_name: str = _O_FROM_NAME,
    rate: float = _O_RATE,
    log: Optional[Path] = _O_LOG,
    resend: Optional[List[str]] = _O_RESEND,
    allow_plain: bool = _O_ALLOW_PLAIN,
    ca_file: Optional[Path] = _O_CA_FILE,
) -> None:
    """给每个单位发送它的填报模板（每个单位一封邮件）。"""
    _common("templates", show_template)
    from . import fail, progress
    if roster is None or dir is None:
        fail("请用 --roster 指定名单、--dir 指定模板目录，例如：gkxl send templates --roster 名单.csv --dir 模板")
    from ..mail import send_templates
    from ..roster import load_roster

    r = load_roster(roster)
    with progress(0, "发送邮件") as tick:
        res = send_templates(r, dir, deadline=deadline, message_template=message_template, drafts_dir=drafts,
                             smtp=smtp, sender=sender, sender_name=sender_name, rate=rate, log=log,
                             allow_plain=allow_plain, ca_file=str(ca_file) if ca_file else None,
                             password=_prompt(" SMTP "), resend=resend or (), progress=tick)
    _report(res, smtp is not None)


@send_app.command("feedback")
def send_feedback_cmd(
    dir: Optional[Path] = typer.Option(None, "--dir", help="（必需）修改意见目录：gkxl check --feedback-dir 生成的 单位代码.xlsx 与 单位代码-修改意见.txt。"),
    roster: Optional[Path] = typer.Option(None, "--roster", help="名单文件（收件地址取“邮箱”列）。"),
    collected: Optional[Path] = typer.Option(None, "--collected", help="gkxl collect 的输出目录：名单中没有邮箱时回复报送人，并作为对原邮件的回复。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="修改后重新报送的截止日期。"),
    message_template: Optional[Path] = _O_MESSAGE_TEMPLATE,
    show_template: bool = _O_SHOW_TEMPLATE,
    drafts: Optional[Path] = _O_DRAFTS,
    smtp: Optional[str] = _O_SMTP,
    sender: str = _O_FROM,
    sender_name: str = _O_FROM_NAME,
    rate: float = _O_RATE,
    log: Optional[Path] = _O_LOG,
    resend: Optional[List[str]] = _O_RESEND,
    allow_plain: bool = _O_ALLOW_PLAIN,
    ca_file: Optional[Path] = _O_CA_FILE,
) -> None:
    """把不通过的报表（带批注的副本）和修改意见发回各单位。

    在工作目录中（不给出 --dir 修改意见目录时）：为每个当前版本不通过、且还没有退回过的单位生成修改意见并发送，
    每个版本只退回一次，并记入台账。
    """
    _common("feedback", show_template)
    from . import progress
    if dir is None or (dir / "gkxl.db").is_file():
        _ledger_feedback(dir, roster, deadline, message_template, drafts, smtp, sender, sender_name, rate, log,
                         resend, allow_plain, ca_file)
        return
    from ..mail import send_feedback
    from ..roster import load_roster

    r = load_roster(roster) if roster else None
    with progress(0, "发送邮件") as tick:
        res = send_feedback(dir, roster=r, collected=collected, deadline=deadline, message_template=message_template,
                            drafts_dir=drafts, smtp=smtp, sender=sender, sender_name=sender_name, rate=rate, log=log,
                            allow_plain=allow_plain, ca_file=str(ca_file) if ca_file else None,
                            password=_prompt(" SMTP "), resend=resend or (), progress=tick)
    _report(res, smtp is not None)


def _ledger_feedback(dir, roster, deadline, message_template, drafts, smtp, sender, sender_name, rate, log, resend,
                     allow_plain, ca_file) -> None:
    from . import progress, say
    from .ledger import folder
    from ..collection.ledger import MAILBOX
    from ..mail import send_feedback
    from ..roster import load_roster
    from ..collection.folder import prior_index, write_current_feedback

    with folder(dir) as led:
        fb_dir, written = write_current_feedback(led, prior=prior_index(led))
        if not written:
            say("没有需要退回的报表：各单位当前版本不通过的都已退回过（每个版本只退回一次）。")
            return
        r = load_roster(roster) if roster else led.roster
        dl = deadline or (_deadline_text(led.deadline) if led.deadline else None)
        collected = led.root / MAILBOX if (led.root / MAILBOX).is_dir() else None
        with progress(0, "发送邮件") as tick:
            res = send_feedback(fb_dir, roster=r, collected=collected, deadline=dl,
                                message_template=message_template, drafts_dir=drafts or fb_dir / "邮件草稿",
                                smtp=smtp, sender=sender, sender_name=sender_name, rate=rate,
                                log=log or led.root / ".gkxl-sent.csv", allow_plain=allow_plain,
                                ca_file=str(ca_file) if ca_file else None, password=_prompt(" SMTP "),
                                resend=resend or (), progress=tick)
        from ..collection.reminders import delivered
        done = delivered(res, smtp is not None)
        for code, fid in written:
            if code in done:
                led.event("feedback", code, fid, ("已发送" if smtp else "已写成草稿") + f"：{fb_dir}")
        say(f"已为 {len(written)} 个单位生成修改意见：{fb_dir}")
        _report(res, smtp is not None)


def _deadline_text(d) -> str:
    from ..collection.deadline import format_deadline
    return format_deadline(d)


@send_app.command("reminders")
def send_reminders_cmd(
    dir: Optional[Path] = typer.Option(None, "--dir", help="工作目录（gkxl init 创建；默认为当前目录）。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", help="写入催报邮件的截止日期（默认为工作目录的截止日期）。"),
    message_template: Optional[Path] = _O_MESSAGE_TEMPLATE,
    show_template: bool = _O_SHOW_TEMPLATE,
    drafts: Optional[Path] = _O_DRAFTS,
    smtp: Optional[str] = _O_SMTP,
    sender: str = _O_FROM,
    sender_name: str = _O_FROM_NAME,
    rate: float = _O_RATE,
    allow_plain: bool = _O_ALLOW_PLAIN,
    ca_file: Optional[Path] = _O_CA_FILE,
) -> None:
    """催报：给未报送、不通过或回复的附件不是报表的单位发邮件，写明其当前状态和截止日期，并记入台账。"""
    if show_template:
        from ..collection.reminders import DEFAULT_REMINDER
        typer.echo(DEFAULT_REMINDER, nl=False)
        raise typer.Exit(0)
    from . import progress, say
    from .ledger import folder
    from ..collection.ledger import OUTPUTS, now_iso
    from ..collection.reminders import send_reminders

    with folder(dir) as led:
        stamp = now_iso()[:19].replace(":", "").replace("-", "")
        with progress(0, "发送邮件") as tick:
            res, targets = send_reminders(led, deadline=deadline, message_template=message_template,
                                          drafts_dir=drafts or (led.root / OUTPUTS / "催报" / stamp if not smtp else None),
                                          smtp=smtp, sender=sender, sender_name=sender_name, rate=rate,
                                          log=led.root / ".gkxl-sent.csv", allow_plain=allow_plain,
                                          ca_file=str(ca_file) if ca_file else None, password=_prompt(" SMTP "),
                                          progress=tick)
        if not targets:
            say("没有需要催报的单位。")
            return
        say(f"需要催报的单位 {len(targets)} 个：" + "、".join(f"{st.agency.name}（{st.status}）" for st in targets[:30]))
        _report(res, smtp is not None)


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_cmd)
    app.add_typer(send_app, name="send")
