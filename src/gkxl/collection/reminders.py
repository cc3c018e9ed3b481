"""Reminders: a message to every agency that still owes a usable return, saying where it stands.

Built from the ledger's board (the same status words as `gkxl status`) and
delivered like templates and feedback (drafts to review, or SMTP with the
at-most-once send log). The body carries today's date, so a reminder sent
again on another day is a new message, while a re-run the same day resumes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import ST_FAIL, ST_MISSING, ST_NOT_RETURN, ST_UNREADABLE
from .ledger import BEIJING, Ledger

DEFAULT_REMINDER = """主题：【催报】{年度}年度{表名}（{单位名称}）

{单位名称}：

    截至{今天}，{状态说明}

    请于{截止日期}前以附件形式报送已填好的统计表（.xlsx）。如已报送，请忽略本邮件；如有疑问，请直接回复。
"""

_EXPLAIN = {
    ST_MISSING: "我们还没有收到你单位的{年度}年度{表名}。",
    ST_FAIL: "你单位报送的统计表（{文件}）检查未通过，有 {错误} 处错误，请按修改意见改正后重新报送。",
    ST_NOT_RETURN: "你单位的回信中没有可用的统计表（收到的附件：{文件}），请以 .xlsx 附件报送统计表本身。",
    ST_UNREADABLE: "你单位报送的文件（{文件}）无法读取（{说明}），请重新保存为 .xlsx 后报送。",
}


def _fill(text: str, values: dict[str, str]) -> str:
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text


def plan_reminders(led: Ledger, *, deadline: str | None = None, template: str = DEFAULT_REMINDER):
    """(jobs, skipped, targets): one message per agency that is 未报送, 不通过, or whose reply was no return."""
    from .deadline import format_deadline
    from ..mail.compose import render
    from ..mail.names import recipients
    from ..mail.send import Job
    from .folder import reminder_targets

    from ..form import load_form
    targets = reminder_targets(led)
    title = load_form(led.meta("form") or None).title or "统计表"
    today = datetime.now(BEIJING).date()
    dl = deadline or (format_deadline(led.deadline) if led.deadline else "通知规定的时间")
    jobs, skipped = [], []
    for st in targets:
        a = st.agency
        to, why = recipients(a.email) if a.email else ([], "名单中没有邮箱")
        if not to:
            skipped.append(f"{a.code} {a.name}：{why or '名单中没有邮箱'}，未催报")
            continue
        cur = st.current
        shown = (cur.original_name or Path(cur.path).name) if cur is not None else (st.detail.split("：", 1)[-1] or "")
        explain = _fill(_EXPLAIN[st.status], {"年度": str(led.year), "文件": shown, "错误": str(st.errors),
                                              "说明": st.detail, "表名": title})
        values = {"year": str(led.year), "agency_name": a.name, "agency_code": a.code, "deadline": dl,
                  "attachment": "", "feedback": "", "form_title": title}
        explain = explain.replace("{", "{{").replace("}", "}}")  # a file name is text, never a placeholder
        body_t = template.replace("{今天}", f"{today.year}年{today.month}月{today.day}日").replace("{状态说明}", explain)
        subject, body = render(body_t, values, "催报邮件模板")
        jobs.append(Job(f"{a.code}-催报", a.code, a.name, to, subject, body, None, ""))
    return jobs, skipped, targets


def delivered(res, sending: bool) -> set[str]:
    """The job keys that reached the agency (sent now or before) or, without SMTP, were written as drafts."""
    return set(res.sent) | set(res.already) if sending else {p.stem for p in res.drafts}


def send_reminders(led: Ledger, *, deadline: str | None = None, message_template: str | Path | None = None, **kw):
    """Plan and deliver reminders; each one delivered (or written as a draft) is recorded in the ledger."""
    from ..mail.send import deliver

    text = Path(message_template).read_text(encoding="utf-8-sig") if message_template else DEFAULT_REMINDER
    jobs, skipped, targets = plan_reminders(led, deadline=deadline, template=text)
    if not jobs:
        from ..mail.send import SendResult
        res = SendResult(skipped=skipped)
        return res, targets
    base = kw.pop("drafts_dir", None)
    res = deliver(jobs, "reminders", base_dir=led.root, drafts_dir=base, **kw)
    res.skipped = skipped + res.skipped
    done = delivered(res, bool(kw.get("smtp")))
    for job in jobs:
        if job.key in done:
            led.event("reminder", job.code, None, ("已发送" if kw.get("smtp") else "已写成草稿") + f"：{'; '.join(job.to)}")
    return res, targets
