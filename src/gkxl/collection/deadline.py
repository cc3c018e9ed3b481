"""The reporting deadline: parsed from what a coordinator types, judged in Beijing time.

Only three spellings are accepted (2026-01-31, 2026/1/31, 2026年1月31日), because a
guessed deadline ("1/31": which year? "明天": from when?) printed in hundreds of
mails is worse than a refusal. A return is late only when it arrives after the
whole deadline day has ended in Beijing, whatever time zone the mail server used.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

from ..errors import GkxlError

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_FORMS = (
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII),
    re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})", re.ASCII),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日", re.ASCII),
)
_HINT = "请写成 2026-01-31、2026/1/31 或 2026年1月31日"
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _shown(text: str) -> str:
    """The input as quoted in a message: control characters escaped, long input cut."""
    out = "".join(repr(c)[1:-1] if _CONTROL_RE.match(c) else c for c in text[:40])
    return out + ("…" if len(text) > 40 else "")


def parse_deadline(text: str) -> date:
    """The date a coordinator wrote, or GkxlError(code="DEADLINE") saying how to write it."""
    raw = text if isinstance(text, str) else ""
    value = unicodedata.normalize("NFKC", raw).strip()
    if not value:
        raise GkxlError(f"截止日期是空的：{_HINT}", code="DEADLINE")
    for form in _FORMS:
        m = form.fullmatch(value)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                why = f"没有{mo}月" if not 1 <= mo <= 12 else f"{y}年{mo}月没有{d}日"
                raise GkxlError(f"截止日期“{_shown(raw)}”不是一个存在的日期（{why}）：{_HINT}",
                                code="DEADLINE") from None
    raise GkxlError(f"截止日期“{_shown(raw)}”无法识别：{_HINT}", code="DEADLINE")


def _day(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def deadline_end(d: date) -> datetime:
    """The last instant of the deadline day in Beijing time (aware)."""
    return datetime.combine(_day(d), time.max, tzinfo=BEIJING)


def format_deadline(d: date) -> str:
    """2026年1月31日, as printed in mails and reports."""
    d = _day(d)
    return f"{d.year}年{d.month}月{d.day}日"


def _received(value: str | datetime | date) -> datetime | None:
    """An aware datetime for a receipt time; naive means Beijing time. Accepts ISO 8601
    (with or without offset, 'Z' too) and, failing that, a mail Date header."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time.min)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            try:
                from email.utils import parsedate_to_datetime
                dt = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
            if dt is None:
                return None
    else:
        return None
    return dt if dt.tzinfo is not None and dt.utcoffset() is not None else dt.replace(tzinfo=BEIJING)


def is_late(received_at: str | datetime | None, deadline: date | None) -> bool:
    """True when the return arrived strictly after the end of the deadline day (Beijing).
    Unknown receipt time or no deadline is not late: lateness must be shown, not guessed."""
    if received_at is None or deadline is None:
        return False
    dt = _received(received_at)
    if dt is None:
        return False
    return dt > deadline_end(deadline)


def default_year(today: date | None = None) -> int:
    """The report year a coordinator is most likely working on: templates go out in the last
    quarter and returns come back in January, so from October on it is this year, before that last year."""
    today = today or date.today()
    return today.year if today.month >= 10 else today.year - 1


def now_iso(precise: bool = False) -> str:
    """Beijing time; `precise` keeps microseconds (the order of two files added within one second)."""
    now = datetime.now(BEIJING)
    return now.isoformat() if precise else now.replace(microsecond=0).isoformat()
