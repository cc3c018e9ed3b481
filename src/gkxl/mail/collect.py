"""`collect`: every spreadsheet attachment of every message, saved once, accounted for.

The agency is taken from the workbook's own identity (never from the file
name or the sender, which clerks get wrong). Files are saved under names gkxl
makes: DIR/<agency code>/<received YYYYmmdd-HHMMSS>-<sha256[:8]>.xlsx, so
nothing in an attachment can choose a path. A zip attachment is opened (within
bounds, see archive.py) and each file in it is handled like an attachment.
The manifest records every message and attachment with its fate, a reply
without a return included; a message already in it (same content, whatever
its Message-ID) is skipped, so running collect again over the same mailbox
adds nothing and loses nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from ..errors import MailError, OutputError, os_reason
from ..roster import CODE_RE, Roster
from ..files.outputs import atomic_write
from . import manifest as mf
from . import quiet
from .archive import MAX_DEPTH, ArchiveError, Budget, members
from .names import addresses
from .parse import BEIJING, Attachment, ParsedMessage, parse_message
from .received import message_rows, received_index, received_info  # noqa: F401 - public here too
from .sources import Incoming, check_source, iter_source
from .triage import OLE2, OTHER_ARCHIVES, classify, fingerprint, workbook_identity

MAX_ATTACHMENT = 50 * 1024 * 1024
SAME_ID = "与另一封邮件的 Message-ID 相同，内容不同"
SAME_ID_COPY = "与先前收取的一封邮件 Message-ID 相同、附件也相同，可能是同一封邮件的另一份副本"


@dataclass
class CollectResult:
    out_dir: Path
    new_messages: int = 0
    skipped_messages: int = 0  # already in the manifest
    rows: list[dict[str, str]] = field(default_factory=list)  # the new rows
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unreadable messages: exit code 2

    def count(self, fate: str) -> int:
        return sum(1 for r in self.rows if r["record"] == mf.ATTACHMENT and r["fate"] == fate)


def _stamp(dt: datetime) -> str:
    return dt.astimezone(BEIJING).strftime("%Y%m%d-%H%M%S")


def _join(*texts: str) -> str:
    return "；".join(t for t in texts if t)


class Collector:
    """One collect run over a DIR: the manifest in memory, saved after each message.

    A message is known by its content (message_sha256), never by its Message-ID:
    clients reuse IDs, and a second message under the same ID is a new message."""

    def __init__(self, out_dir: Path, roster: Roster | None, max_size: int) -> None:
        self.out = out_dir
        self.roster = roster
        self.max_size = max_size
        self.path = mf.manifest_path(out_dir)
        self.rows = mf.read_manifest(self.path)
        self.shas: set[str] = set()
        self.ids: dict[str, list[str]] = defaultdict(list)  # Message-ID -> message_sha256 of each
        self.sources: set[str] = set()
        for r in self.rows:
            if r["record"] == mf.MESSAGE:
                self._know(r)
        # sha256 -> the row of the file saved for it (a duplicate points there)
        self.files = {r["sha256"]: r for r in self.rows
                      if r["record"] == mf.ATTACHMENT and r["fate"] in mf.HAS_FILE and r["saved_as"]}
        self._written = 0.0
        self.result = CollectResult(out_dir)
        self.now = datetime.now(BEIJING).replace(microsecond=0).isoformat()

    def _know(self, msg_row: dict[str, str]) -> None:
        if msg_row["message_sha256"]:
            self.shas.add(msg_row["message_sha256"])
            if msg_row["message_id"]:
                self.ids[msg_row["message_id"]].append(msg_row["message_sha256"])
        if msg_row["source"]:
            self.sources.add(msg_row["source"])

    def seen(self, label: str) -> bool:
        """Whether the message at an IMAP label (which names UIDVALIDITY and UID, so
        one unchanging message) was collected before: then it is not even fetched."""
        return label in self.sources

    def add(self, item: Incoming) -> None:
        """Record one message and its attachments, unless it is in the manifest already."""
        rows = self._rows(item)
        if rows is None:
            self.result.skipped_messages += 1
            return
        self._commit(rows)

    def _warn(self, row: dict[str, str], text: str, label: str) -> None:
        row["warning"] = _join(row["warning"], text)
        self.result.warnings.append(f"{label}：{text}")

    def _rows(self, item: Incoming) -> list[dict[str, str]] | None:
        """The message row and its attachment rows; None when already collected."""
        base = {k: "" for k in mf.KEYS}
        base.update(source=item.source, collected_at=self.now)
        if item.raw is None:
            key = f"{item.source}|{item.size}"
            if key in self.shas:
                return None
            row = dict(base, record=mf.MESSAGE, fate=mf.MESSAGE_TOO_LARGE, size=str(item.size), detail=item.skip,
                       received_at=(item.arrived or item.file_time or datetime.now(BEIJING)).isoformat(),
                       message_sha256=key)
            self.result.warnings.append(f"{item.source}：{item.skip}，未处理")
            return [row]
        sha = fingerprint(item.raw)
        if sha in self.shas or hashlib.sha256(item.raw).hexdigest() in self.shas:  # (older manifests: raw bytes)
            return None  # collected before: not even parsed
        pm = parse_message(item.raw, self.max_size)
        received = item.arrived or pm.received or pm.date or item.file_time or datetime.now(BEIJING)
        base.update(received_at=received.replace(microsecond=0).isoformat(), message_id=pm.message_id,
                    sender=pm.sender or pm.sender_display, subject=pm.subject, message_sha256=sha)
        msg_row = dict(base, record=mf.MESSAGE, size=str(len(item.raw)))
        if not pm.is_mail:
            msg_row.update(fate=mf.NOT_MAIL, detail="不是邮件（没有邮件头），文件可能已损坏"
                           + ("；这是 Outlook 的 .msg 文件，请另存为 .eml" if item.raw[:8] == OLE2 else ""))
            self.result.problems.append(f"{item.source}：不是有效的邮件文件（没有邮件头），无法解析")
            return [msg_row]
        self.result.warnings.extend(f"{item.source}：{p}" for p in pm.problems)
        att_rows = [r for att in pm.attachments for r in self._attachments(att, base, received)]
        self._message_fate(msg_row, pm, att_rows)
        if pm.message_id and pm.message_id in self.ids:
            self._warn(msg_row, self._same_id_note(pm.message_id, att_rows), item.source)
        return [msg_row] + att_rows

    def _message_fate(self, row: dict[str, str], pm: ParsedMessage, att_rows: list[dict[str, str]]) -> None:
        """已处理 / 附件不是报表 / 无附件, so that a reply without a return is on record."""
        n = len(pm.attachments)
        count = f"附件 {n} 个" + (f"（含压缩包中的文件共 {len(att_rows)} 个）" if len(att_rows) != n else "")
        if not att_rows:
            row.update(fate=mf.NO_ATTACHMENT, detail=_join(*pm.problems))
        elif any(r["fate"] in mf.IS_RETURN for r in att_rows):
            row.update(fate=mf.PROCESSED, detail=_join(count, *pm.problems))
        else:
            listed = "、".join(f"{r['attachment_name'] or '（无名附件）'}（{r['fate']}）" for r in att_rows[:5])
            more = f"等 {len(att_rows)} 个" if len(att_rows) > 5 else ""
            row.update(fate=mf.NO_RETURN, detail=_join(f"{count}，其中没有报表：{listed}{more}", *pm.problems))

    def _same_id_note(self, message_id: str, att_rows: list[dict[str, str]]) -> str:
        """Which of the two a second message under a known Message-ID is: the same
        message in another encoding (the attachments match) or another message."""
        before: dict[str, set[str]] = {sha: set() for sha in self.ids[message_id]}
        for r in self.rows:
            if r["record"] == mf.ATTACHMENT and r["message_sha256"] in before:
                before[r["message_sha256"]].add(r["sha256"])
        now = {r["sha256"] for r in att_rows}
        return SAME_ID_COPY if now and now in before.values() else SAME_ID

    def _attachments(self, att: Attachment, base: dict[str, str], received: datetime, depth: int = 0,
                     budget: Budget | None = None) -> list[dict[str, str]]:
        """The rows of one attachment: one row, or one per file of a zip."""
        row = dict(base, record=mf.ATTACHMENT, attachment_name=att.name, size=str(att.size))
        if att.note:
            self._warn(row, att.note, att.name or base["source"])
        if att.data is None:
            row.update(fate=mf.TOO_LARGE, detail=f"附件大小 {att.size / (1 << 20):.1f} MB，超过上限 "
                                                 f"{self.max_size / (1 << 20):.0f} MB，未保存")
            return [row]
        sha = hashlib.sha256(att.data).hexdigest()
        row["sha256"] = sha
        what = classify(att)
        if what == "archive":
            return self._archive(att, row, base, received, depth, budget or Budget())
        if what in ("other", "legacy"):
            row.update(_not_a_workbook(att, what))
            return [row]
        if sha in self.files:
            first = self.files[sha]
            row.update(fate=mf.DUPLICATE, saved_as=first["saved_as"], agency_code=first["agency_code"],
                       agency_name=first["agency_name"], year=first["year"],
                       detail=f"与已收取的 {first['saved_as']} 完全相同，未重复保存")
            self._note_agency(row)
            return [row]
        return [self._save(att, row, sha, received)]

    def _save(self, att: Attachment, row: dict[str, str], sha: str, received: datetime) -> dict[str, str]:
        """A workbook seen for the first time: saved under a name gkxl makes, in its agency's folder."""
        ident, error = workbook_identity(att.data, att.name)
        if error:
            row.update(fate=mf.UNREADABLE, detail=error)
            return row
        code = ident.get("agency_code", "")
        row.update(agency_code=code, agency_name=ident.get("agency_name", ""), year=ident.get("year", ""))
        macro = att.name.lower().endswith(".xlsm") or "macroenabled" in att.content_type.lower()
        name = f"{_stamp(received)}-{sha[:8]}{'.xlsm' if macro else '.xlsx'}"
        if code and CODE_RE.match(code) and code not in (".", ".."):
            folder, fate = code, mf.SAVED
        else:
            folder, fate = mf.UNIDENTIFIED, mf.UNIDENTIFIED_FATE
            row["detail"] = "工作簿中没有 gkxl 标识或单位代码，无法判断是哪个单位的报表" if not code \
                else f"工作簿中的单位代码“{code}”不合规，无法作为目录名"
        rel = f"{folder}/{name}"
        target = self.out / folder / name
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha:
            rel = f"{folder}/{_stamp(received)}-{sha[:16]}{target.suffix}"
            target = self.out / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"无法创建目录 {target.parent}：{os_reason(e)}", code="OUTPUT_IO") from None
        if not (target.exists() and target.stat().st_size == len(att.data)):
            atomic_write(target, att.data)
        row.update(fate=fate, saved_as=rel)
        self.files[sha] = row
        if fate == mf.SAVED:
            self._note_agency(row)
        return row

    def _archive(self, att: Attachment, row: dict[str, str], base: dict[str, str], received: datetime,
                 depth: int, budget: Budget) -> list[dict[str, str]]:
        """A zip: a row per file in it, each handled as if attached directly; one row
        for the zip itself only when it is not opened (and why)."""
        if depth >= MAX_DEPTH:
            row.update(fate=mf.UNREADABLE, detail="压缩包中的压缩包里又有压缩包，gkxl 只解开一层嵌套；"
                                                  "请对方直接附上 .xlsx 文件")
            return [row]
        rows: list[dict[str, str]] = []
        try:
            for m in members(att, self.max_size, budget):
                if m.fate:
                    rows.append(dict(base, record=mf.ATTACHMENT, attachment_name=m.att.name, size=str(m.att.size),
                                     fate=m.fate, detail=m.detail))
                else:
                    rows.extend(self._attachments(m.att, base, received, depth + 1, budget))
        except ArchiveError as e:
            row.update(fate=mf.UNREADABLE, detail=str(e))
            return [row]
        if not rows:
            row.update(fate=mf.NOT_SPREADSHEET, detail="压缩包中没有文件")
            return [row]
        return rows

    def _note_agency(self, row: dict[str, str]) -> None:
        """Warn when the sender is not the roster's address for the agency."""
        code = row.get("agency_code") or ""
        if not code or self.roster is None:
            return
        ag = self.roster.get(code)
        if ag is None:
            text = f"单位代码“{code}”不在名单中"
        else:
            want = addresses(ag.email)
            if not want or row["sender"].lower() in want:
                return
            text = f"发件人 {row['sender'] or '（无）'} 不是名单中“{ag.name}”的邮箱（{ag.email}）"
        self._warn(row, text, row["attachment_name"] or row["saved_as"])

    def _commit(self, rows: list[dict[str, str]]) -> None:
        self.rows.extend(rows)
        self.result.rows.extend(rows)
        self.result.new_messages += 1
        self._know(rows[0])
        if time.monotonic() - self._written > 2.0:
            self.flush()

    def flush(self) -> None:
        """Rewrite the manifest (atomically). Called every few seconds and at the end,
        so that a long run costs linear, not quadratic, time."""
        mark_superseded(self.rows)
        mf.write_manifest(self.path, self.rows)
        self._written = time.monotonic()


def _not_a_workbook(att: Attachment, what: str) -> dict[str, str]:
    """Fate and detail of an attachment that is no workbook gkxl reads: another archive format, a
    winmail.dat, an .xls or .csv, anything else."""
    if what == "legacy":
        return {"fate": mf.UNSUPPORTED,
                "detail": "不是支持的表格格式（.xls/.et/.csv 等）；请对方用下发的模板填写并保存为 .xlsx 后重发"}
    packer = next((v for k, v in OTHER_ARCHIVES.items() if (att.data or b"").startswith(k)), "")
    if packer:
        return {"fate": mf.UNREADABLE,
                "detail": f"{packer} 压缩包 gkxl 无法解压；请对方直接附上 .xlsx 文件，或改用 .zip 压缩后重发"}
    tnef = att.name.lower() == "winmail.dat" or att.content_type == "application/ms-tnef"
    return {"fate": mf.NOT_SPREADSHEET,
            "detail": "Outlook 的 winmail.dat（TNEF 格式），其中的附件未能提取；请对方改用 HTML 或纯文本格式重发"
            if tnef else ""}


def mark_superseded(rows: list[dict[str, str]]) -> None:
    """Within an agency and year, only the latest return stays 已保存.

    "Latest" is by the time the file last arrived: a workbook sent again
    (a duplicate) counts as arriving again, so re-sending an older version
    makes it the current one."""
    last_seen: dict[str, str] = {}
    for r in rows:
        if r["record"] == mf.ATTACHMENT and r["sha256"] and r["fate"] in (mf.SAVED, mf.SUPERSEDED, mf.DUPLICATE):
            last_seen[r["sha256"]] = max(last_seen.get(r["sha256"], ""), r["received_at"])
    groups: dict[tuple[str, str], list[tuple[str, int, dict[str, str]]]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["record"] == mf.ATTACHMENT and r["fate"] in (mf.SAVED, mf.SUPERSEDED):
            groups[(r["agency_code"], r["year"])].append((last_seen.get(r["sha256"], r["received_at"]), i, r))
    for items in groups.values():
        items.sort(key=lambda x: (x[0], x[1]))
        newest = items[-1][2]
        for _, _, r in items[:-1]:
            r["fate"] = mf.SUPERSEDED
            r["detail"] = f"已被 {newest['saved_as']}（收件时间 {newest['received_at']}）替代，文件保留"
        if newest["fate"] == mf.SUPERSEDED:
            newest["fate"], newest["detail"] = mf.SAVED, ""


def collect(sources: Iterable[str], out_dir: str | Path, *, roster: Roster | None = None,
            password: Callable[[], str] | None = None, allow_plain: bool = False, ca_file: str | None = None,
            max_size: int = MAX_ATTACHMENT, progress: Callable[[], None] | None = None) -> CollectResult:
    """Collect every message of every source into out_dir (see module docstring).

    `password` is asked only when an IMAP source needs one and the
    environment variable is not set. Raises MailError for a source that
    cannot be read at all (missing path, bad IMAP URL, server down)."""
    sources = [str(s) for s in sources]
    if not sources:
        raise MailError("请指定至少一个邮件来源（.eml 文件、文件夹、mbox、Maildir 或 imaps:// 地址）", code="MAIL_SOURCE")
    for s in sources:
        check_source(s)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建输出目录 {out}：{os_reason(e)}", code="OUTPUT_IO", path=str(out)) from None
    c = Collector(out, roster, max_size)
    with _lock(out), quiet.silenced():  # no library's English warning on the user's terminal
        try:
            for s in sources:
                for item in iter_source(s, c.seen, password=password, allow_plain=allow_plain, ca_file=ca_file,
                                        warn=c.result.warnings.append):
                    c.add(item)
                    if progress:
                        progress()
        finally:  # what was done before an error or Ctrl-C is recorded
            c.flush()
    return c.result


class _lock:
    """One collect at a time per DIR: two would each rewrite the manifest."""

    def __init__(self, out: Path) -> None:
        self.path = out / ".gkxl-collect.lock"
        self.fh = None

    def __enter__(self) -> "_lock":
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks worth the name
            return self
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise MailError(f"另一个 gkxl collect 正在向 {self.path.parent} 收取，请等它结束后再运行",
                            code="MAIL_LOCKED") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()
