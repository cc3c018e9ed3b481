"""`send`: one message per agency, as drafts to review or through SMTP.

Sending is at-most-once. Before a message goes out a "发送中" line is
appended (and fsync'ed) to the send log, after the server accepts it a
"已发送" line. A re-run skips what was sent, retries what failed, and does
not guess about a message whose outcome is unknown (interrupted between the
two lines): it is reported, and sent again only when asked (--resend CODE).
The log key is the file and the SHA-256 of its attachment, so a template
that was regenerated (different bytes) counts as a new message.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import time
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Callable, Iterable

from ..errors import GkxlError, MailError, OutputError, os_reason
from ..files.textfile import decode_local
from ..roster import Agency, Roster
from ..files.outputs import atomic_write
from . import manifest as mf
from . import quiet
from .compose import (DEFAULT_DEADLINE, build_message, check_address, load_message_template, message_bytes,
                      render, safe_filename)
from .names import inline_text, recipients
from .sendlog import FAILED, LOG_COLUMNS, LOG_NAME, SENDING, SENT, SendLog  # noqa: F401 - public here too
from .smtp import SMTP_PASSWORD_ENV, SmtpTarget, connect, parse_smtp_url  # noqa: F401 - public here too

DRAFTS_NAME = "邮件草稿"
DEFAULT_RATE = 20.0  # messages per minute: below what Chinese mail providers throttle at
FEEDBACK_SUFFIX = "-修改意见.txt"


@dataclass
class Job:
    """One message to one agency."""

    key: str  # file stem: CODE, or CODE-2 for a second feedback
    code: str
    name: str
    to: list[str]
    subject: str
    body: str
    attachment: bytes | None
    filename: str
    in_reply_to: str = ""

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.attachment if self.attachment is not None else self.body.encode()).hexdigest()


@dataclass
class SendResult:
    jobs: list[Job] = field(default_factory=list)
    drafts: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent in an earlier run
    uncertain: list[str] = field(default_factory=list)  # an earlier run was interrupted while sending
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not sent, with the reason (no address, mismatch...)
    stopped: str = ""  # why sending stopped before the end
    skipped_keys: list[str] = field(default_factory=list)  # jobs refused while building (bad address)
    log: Path | None = None


# ---------------------------------------------------------------- planning

def _read_text(p: Path) -> str:
    raw = p.read_bytes()
    text = decode_local(raw)
    return raw.decode("utf-8", errors="replace") if text is None else text


def _identity(path: Path) -> dict[str, str]:
    from ..workbook.read import read_identity
    from ..workbook.xlsx import open_book

    book = open_book(path)
    try:
        return read_identity(book)
    finally:
        book.close()


def _values(year: str, agency_name: str, code: str, deadline: str | None, filename: str,
            feedback: str = "", title: str = "") -> dict[str, str]:
    return {"year": year, "agency_name": agency_name, "agency_code": code,
            "deadline": deadline or DEFAULT_DEADLINE, "attachment": filename, "feedback": feedback,
            "form_title": title or FALLBACK_TITLE}


FALLBACK_TITLE = "统计表"


def form_title(ident: dict[str, str]) -> str:
    """The title of the workbook's own form (its form file says it), for subjects and attachment names."""
    from ..errors import FormError
    from ..form import load_form
    try:
        return load_form(ident.get("form_id") or None, ident.get("form_version") or None).title or FALLBACK_TITLE
    except FormError:
        return FALLBACK_TITLE


def _list_dir(d: Path, pattern: str) -> list[Path]:
    if not d.is_dir():
        raise MailError(f"找不到文件夹 {d}", code="MAIL_SOURCE", path=str(d))
    return sorted(p for p in d.glob(pattern) if p.is_file() and not p.name.startswith(("~$", ".")))


def plan_templates(roster: Roster, templates_dir: str | Path, *, template_text: str,
                   deadline: str | None = None, label: str = "邮件模板") -> tuple[list[Job], list[str]]:
    """A message per template file CODE.xlsx whose identity says CODE."""
    d = Path(templates_dir)
    jobs: list[Job] = []
    skipped: list[str] = []
    found: set[str] = set()
    for p in _list_dir(d, "*.xlsx"):
        code = p.stem
        ag = roster.get(code)
        if ag is None:
            skipped.append(f"{p.name}：单位代码“{code}”不在名单中，未发送")
            continue
        found.add(code)
        try:
            ident = _identity(p)
        except GkxlError as e:
            skipped.append(f"{p.name}：无法读取（{e}），未发送")
            continue
        if ident.get("agency_code") != code:
            skipped.append(f"{p.name}：工作簿中的单位代码为“{ident.get('agency_code', '（无）')}”，与文件名不符，未发送")
            continue
        name = inline_text(ag.name)
        to, bad = recipients(ag.email)
        if bad:
            skipped.append(f"{ag.code} {name}：名单中的{bad}，未发送")
            continue
        if not to:
            skipped.append(f"{ag.code} {name}：名单中没有邮箱，未发送")
            continue
        year = ident.get("year", "")
        title = form_title(ident)
        filename = safe_filename(f"{year}年度{title}-{name}.xlsx")
        subject, body = render(template_text, _values(year, name, code, deadline, filename, title=title), label)
        jobs.append(Job(code, code, name, to, subject, body, p.read_bytes(), filename))
    for ag in roster:
        if not ag.is_rollup and ag.code not in found:
            skipped.append(f"{ag.code} {inline_text(ag.name)}：{d} 中没有模板文件 {ag.code}.xlsx，未发送")
    return jobs, skipped


def _latest_returns(collected: Path | None) -> dict[str, dict[str, str]]:
    """agency code -> the manifest row of its current (not superseded) return."""
    if collected is None:
        return {}
    rows = mf.read_manifest(mf.manifest_path(collected))
    if not rows and not mf.manifest_path(collected).exists():
        raise MailError(f"{collected} 中没有收取清单 {mf.MANIFEST_NAME}（应为 gkxl collect 的输出目录）",
                        code="MAIL_MANIFEST", path=str(collected))
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        if r["record"] == mf.ATTACHMENT and r["fate"] == mf.SAVED and r["agency_code"]:
            if r["received_at"] >= out.get(r["agency_code"], {}).get("received_at", ""):
                out[r["agency_code"]] = r
    return out


def plan_feedback(feedback_dir: str | Path, *, roster: Roster | None = None, collected: str | Path | None = None,
                  template_text: str, deadline: str | None = None,
                  label: str = "邮件模板") -> tuple[list[Job], list[str]]:
    """A message per CODE-修改意见.txt, with CODE.xlsx (the marked-up copy) attached.

    The address is the roster's; without a roster (or an address in it), the
    sender of the agency's current return in the collect manifest, to whom
    the message is then a reply."""
    d = Path(feedback_dir)
    latest = _latest_returns(Path(collected) if collected else None)
    if roster is None and collected is None:
        raise MailError("发送修改意见需要收件地址：请用 --roster 指定名单，或用 --collected 指定 gkxl collect 的输出目录",
                        code="MAIL_ARGS")
    jobs: list[Job] = []
    skipped: list[str] = []
    for txt in _list_dir(d, "*" + FEEDBACK_SUFFIX):
        stem = txt.name[:-len(FEEDBACK_SUFFIX)]
        book = d / f"{stem}.xlsx"
        ident: dict[str, str] = {}
        data: bytes | None = None
        if book.is_file():
            try:
                ident = _identity(book)
            except GkxlError as e:
                skipped.append(f"{book.name}：无法读取（{e}），未发送")
                continue
            data = book.read_bytes()
            code = ident.get("agency_code", "")
            if not code or not (stem == code or re.fullmatch(re.escape(code) + r"-\d+", stem)):
                skipped.append(f"{book.name}：工作簿中的单位代码为“{code or '（无）'}”，与文件名不符，未发送")
                continue
        else:
            code = stem
            if not ((roster and roster.get(code)) or code in latest):
                code = re.sub(r"-\d+$", "", stem)
        ag: Agency | None = roster.get(code) if roster else None
        if roster is not None and ag is None:
            skipped.append(f"{txt.name}：单位代码“{code}”不在名单中，未发送")
            continue
        ret = latest.get(code, {})
        name = inline_text((ag.name if ag else "") or ident.get("agency_name") or ret.get("agency_name") or code)
        to, bad = recipients(ag.email) if ag else ([], "")
        if bad:
            skipped.append(f"{code} {name}：名单中的{bad}，未发送")
            continue
        if not to and ret.get("sender"):
            to, bad = recipients(ret["sender"])
            if bad:
                skipped.append(f"{code} {name}：收取清单中发件人的{bad}，未发送")
                continue
        if not to:
            skipped.append(f"{code} {name}：名单中没有邮箱，收取清单中也没有它的来信，未发送")
            continue
        year = ident.get("year") or ret.get("year", "")
        title = form_title(ident) if ident else FALLBACK_TITLE
        filename = safe_filename(f"{year}年度{title}-{name}（请修改）.xlsx") if data else ""
        feedback = _read_text(txt).strip()
        subject, body = render(template_text, _values(year, name, code, deadline, filename, feedback, title), label)
        jobs.append(Job(stem, code, name, to, subject, body, data, filename, ret.get("message_id", "")))
    return jobs, skipped


# ---------------------------------------------------------------- delivery

def _build(job: Job, res: SendResult, **kw) -> Message | None:
    """The job's message, or None (and the agency reported as skipped) when an
    address or name in it is refused: the run goes on with the others."""
    try:
        return build_message(subject=job.subject, body=job.body, to=[(job.name, a) for a in job.to],
                             attachment=job.attachment, filename=job.filename, in_reply_to=job.in_reply_to, **kw)
    except MailError as e:
        res.skipped.append(f"{job.code} {job.name}：{e}")
        res.skipped_keys.append(job.key)
        return None


def deliver(jobs: list[Job], purpose: str, *, base_dir: Path, drafts_dir: str | Path | None = None,
            smtp: str | None = None, sender: str = "", sender_name: str = "", rate: float = DEFAULT_RATE,
            log: str | Path | None = None, allow_plain: bool = False, ca_file: str | None = None,
            password: Callable[[], str] | None = None, resend: Iterable[str] = (),
            progress: Callable[[], None] | None = None) -> SendResult:
    """Drafts (always when there is no SMTP address), then, given `smtp`, each job sent at most once
    at `rate` messages a minute, recorded in the send log."""
    res = SendResult(jobs=jobs)
    sender_name = inline_text(sender_name)
    if sender:
        check_address(sender, "发件人")  # --from: a bad one stops the run, it is every message's
    if smtp is None and drafts_dir is None:
        drafts_dir = base_dir / DRAFTS_NAME
    if drafts_dir is not None:
        _write_drafts(jobs, Path(drafts_dir), res, sender, sender_name, progress if smtp is None else None)
    if smtp is None:
        return res
    target = parse_smtp_url(smtp)
    sender = sender or (target.user if "@" in target.user else "")
    if not sender:
        raise MailError("请用 --from 指定发件人邮箱地址", code="MAIL_ARGS")
    check_address(sender, "发件人")
    if rate <= 0:
        raise MailError("--rate（每分钟发送封数）应大于 0", code="MAIL_ARGS")
    slog = SendLog(Path(log) if log else base_dir / LOG_NAME, purpose)
    res.log = slog.path
    force = set(resend)
    interval = 60.0 / rate
    conn: smtplib.SMTP | None = None
    last = 0.0
    refused = set(res.skipped_keys)
    try:
        for job in jobs:
            if job.key in refused:
                continue  # its address was refused when the draft was written
            state = slog.get(job)
            if job.code not in force and job.key not in force and state in (SENT, SENDING):
                (res.already if state == SENT else res.uncertain).append(job.key)
                continue
            if conn is None:
                conn = connect(target, allow_plain=allow_plain, ca_file=ca_file, password=password)
            wait = last + interval - time.monotonic()
            if last and wait > 0:
                time.sleep(wait)
            msg = _build(job, res, sender=sender, sender_name=sender_name)
            if msg is None:
                continue
            last = time.monotonic()
            outcome = _send_one(conn, job, msg, sender, slog, res)
            if outcome == "broken":
                conn = None  # nothing to say goodbye to
            if outcome in ("stop", "broken"):
                break
            if outcome == "sent" and progress:
                progress()
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return res


def _write_drafts(jobs: list[Job], dd: Path, res: SendResult, sender: str, sender_name: str,
                  progress: Callable[[], None] | None) -> None:
    try:
        dd.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建草稿目录 {dd}：{os_reason(e)}", code="OUTPUT_IO", path=str(dd)) from None
    for job in jobs:
        msg = _build(job, res, sender=sender, sender_name=sender_name, draft=True)
        if msg is None:
            continue
        p = dd / f"{job.key}.eml"
        atomic_write(p, message_bytes(msg))
        res.drafts.append(p)
        if progress:
            progress()


def _send_one(conn: smtplib.SMTP, job: Job, msg: Message, sender: str, slog: SendLog, res: SendResult) -> str:
    """One message through the server, logged before ("发送中") and after. Returns "sent", "failed" (go on
    with the next), "stop" (a temporary refusal) or "broken" (the connection): the rest waits for a re-run."""
    mid = msg["Message-ID"]
    slog.write(job, SENDING, mid)
    try:
        rejected = conn.sendmail(sender, job.to, message_bytes(msg))
    except smtplib.SMTPRecipientsRefused as e:
        why = "；".join(f"{a}：{c} {m.decode('utf-8', 'replace') if isinstance(m, bytes) else m}"
                       for a, (c, m) in e.recipients.items())
        slog.write(job, FAILED, mid, f"收件人被拒绝：{why}")
        res.failed.append(f"{job.key} {job.name}：收件人被拒绝（{why}）")
        return "failed"
    except smtplib.SMTPResponseException as e:
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
        slog.write(job, FAILED, mid, f"{e.smtp_code} {text}")
        if 400 <= e.smtp_code < 500:
            res.failed.append(f"{job.key} {job.name}：服务器暂时拒绝（{e.smtp_code} {text}）")
            res.stopped = (f"服务器暂时拒绝发送（{e.smtp_code} {text}），可能是发送过快或超过每日限额；"
                           f"已停止，稍后重新运行同一命令即可从中断处继续")
            return "stop"
        res.failed.append(f"{job.key} {job.name}：服务器拒绝（{e.smtp_code} {text}）")
        return "failed"
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        slog.write(job, FAILED, mid, f"连接中断：{e}")
        res.failed.append(f"{job.key} {job.name}：连接中断")
        res.stopped = f"与 SMTP 服务器的连接中断（{e}）；重新运行同一命令即可从中断处继续"
        return "broken"
    slog.write(job, SENT, mid, "部分收件人被拒绝：" + "、".join(rejected) if rejected else "")
    res.sent.append(job.key)
    return "sent"


def send_templates(roster: Roster, templates_dir: str | Path, *, deadline: str | None = None,
                   message_template: str | Path | None = None, **kw) -> SendResult:
    """Mail each agency its template (see `deliver` for the keyword arguments)."""
    text = load_message_template("templates", message_template)
    with quiet.silenced():  # a library's English warning is no use to the coordinator
        jobs, skipped = plan_templates(roster, templates_dir, template_text=text, deadline=deadline,
                                       label=str(message_template or "邮件模板"))
        res = deliver(jobs, "templates", base_dir=Path(templates_dir), **kw)
    res.skipped = skipped + res.skipped
    return res


def send_feedback(feedback_dir: str | Path, *, roster: Roster | None = None, collected: str | Path | None = None,
                  deadline: str | None = None, message_template: str | Path | None = None, **kw) -> SendResult:
    """Mail each failing return's marked-up copy and what to fix back to the agency."""
    text = load_message_template("feedback", message_template)
    with quiet.silenced():
        jobs, skipped = plan_feedback(feedback_dir, roster=roster, collected=collected, template_text=text,
                                      deadline=deadline, label=str(message_template or "邮件模板"))
        res = deliver(jobs, "feedback", base_dir=Path(feedback_dir), **kw)
    res.skipped = skipped + res.skipped
    return res
