"""The collection's words and records: fates, statuses and flags; a received file; an agency's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from functools import lru_cache

from ..roster import Agency


class Fate(StrEnum):
    """What became of a received file (each file has exactly one)."""

    CURRENT = "当前版本"
    SUPERSEDED = "已被替代"
    DUPLICATE = "重复"
    PENDING = "待确认"
    REJECTED = "已拒收"
    UNREADABLE = "无法读取"
    NOT_RETURN = "不是报表"


class Status(StrEnum):
    """A roster agency's status: one vocabulary for every view (board, JSON, roll-up, console)."""

    MISSING = "未报送"
    NOT_RETURN = "已回复但附件不是报表"
    UNREADABLE = "报表无法读取"
    PENDING = "待确认"
    FAIL = "不通过"
    PASS = "通过"
    CONFIRMED = "已确认"
    VIA = "已含在地区汇总表中"
    FROM_PARTS = "由下属单位汇总"


class Flag(StrEnum):
    LATE = "逾期"
    RETURNED = "已退回"
    REMINDED = "已催报"


# the names the rest of the code uses
F_CURRENT, F_SUPERSEDED, F_DUPLICATE, F_PENDING = Fate.CURRENT, Fate.SUPERSEDED, Fate.DUPLICATE, Fate.PENDING
F_REJECTED, F_UNREADABLE, F_NOT_RETURN = Fate.REJECTED, Fate.UNREADABLE, Fate.NOT_RETURN
FILE_FATES = tuple(Fate)
ST_MISSING, ST_NOT_RETURN, ST_UNREADABLE = Status.MISSING, Status.NOT_RETURN, Status.UNREADABLE
ST_PENDING, ST_FAIL, ST_PASS, ST_CONFIRMED = Status.PENDING, Status.FAIL, Status.PASS, Status.CONFIRMED
ST_VIA, ST_FROM_PARTS = Status.VIA, Status.FROM_PARTS
STATUSES = tuple(Status)
DONE = (ST_PASS, ST_CONFIRMED, ST_VIA, ST_FROM_PARTS)  # nothing more is expected of the agency
FL_LATE, FL_RETURNED, FL_REMINDED = Flag.LATE, Flag.RETURNED, Flag.REMINDED

# kinds of received file
RETURN, ROLLUP, NOT_RETURN, UNREADABLE = "return", "rollup", "not_return", "unreadable"


@lru_cache(maxsize=65536)
def _instant(text: str) -> float:
    """An ISO 8601 time as seconds since the epoch (naive = Beijing time); 0 when missing or unreadable."""
    if not text:
        return 0.0
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone(timedelta(hours=8)))
    return dt.timestamp()


@dataclass
class Received:
    """One received file as the collection sees it (from a folder scan or the ledger)."""

    key: str  # stable id: the ledger's file id, or the path
    path: str
    kind: str  # RETURN | ROLLUP | NOT_RETURN | UNREADABLE
    sha256: str = ""
    agency_code: str = ""  # identity read from the workbook
    agency_name: str = ""
    year: int | None = None
    verdict: str = ""  # pass | fail | unreadable | "" (not a return)
    errors: int = 0
    warnings: int = 0
    members: str = ""  # a roll-up's member codes, comma separated ("" = unknown: all)
    received_at: str = ""  # ISO 8601 (mail received time, or time added)
    own_time: str = ""  # the workbook's own saved time
    seq: int = 0  # arrival order, the last tie-breaker
    message_id: str = ""
    sender: str = ""
    original_name: str = ""
    error: str = ""
    decision: str = ""  # "" | assign | accept | reject
    decision_code: str = ""
    decision_reason: str = ""
    # set by resolve():
    fate: str = ""
    reason: str = ""
    counts_for: str = ""  # the roster code this file counts (or would count) for
    brief: object = None  # the check's Brief, when the caller has one
    used: str = ""  # set by aggregate: whether its numbers are in the totals

    @property
    def result(self):
        """The check's Brief (the name the roll-up writer and older callers use)."""
        return self.brief

    @property
    def order(self) -> tuple:
        """'The later one': received time (as an instant, whatever its offset), then the workbook's own time,
        then arrival order."""
        return (_instant(self.received_at), _instant(self.own_time), self.seq, self.key)

    @property
    def readable(self) -> bool:
        return self.kind in (RETURN, ROLLUP)


@dataclass
class AgencyState:
    agency: Agency
    status: str
    flags: list[str] = field(default_factory=list)
    current: Received | None = None
    versions: int = 0
    first_received: str = ""
    detail: str = ""
    counted: bool = False  # its numbers are inside the totals (directly or through a region)
    covered_by: str = ""  # the region whose return stands for it
    last_feedback: str = ""
    last_reminder: str = ""
    region_path: str = ""

    @property
    def late(self) -> bool:
        return FL_LATE in self.flags

    @property
    def file(self) -> str:
        return self.current.path if self.current is not None else ""

    @property
    def errors(self) -> int:
        return self.current.errors if self.current is not None else 0

    @property
    def warnings(self) -> int:
        return self.current.warnings if self.current is not None else 0


@dataclass
class Resolution:
    """The outcome: a fate for every file, a state for every roster agency in scope."""

    files: list[Received]
    states: dict[str, AgencyState]
    current: dict[str, Received]
    top: Agency
    year: int | None

    def state(self, code: str) -> AgencyState | None:
        return self.states.get(code)

    @property
    def pending(self) -> list[Received]:
        return [f for f in self.files if f.fate == F_PENDING]
