"""Everything received goes into the ledger: files added by hand and what `collect` took from mail.

A mixin of Ledger: the methods that write new rows for received things. Files are copied under
收件/ with names gkxl makes; an unchanged file already added is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from ..errors import os_reason
from . import NOT_RETURN, RETURN, ROLLUP, UNREADABLE
from .deadline import now_iso

INBOX = "收件"
LEDGER_NAME = "gkxl.db"
SAFE_SUFFIX = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".docx", ".doc", ".pdf", ".zip", ".wps"}


@dataclass
class AddResult:
    """What one `add` or `collect` brought into the ledger."""

    new: list[int] = field(default_factory=list)  # file ids of new rows
    known: int = 0  # unchanged files seen before: not read again
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


class Intake:
    """The ledger's intake (mixed into Ledger, which provides conn, root, tx() and _event())."""

    def abspath(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.root / p

    def _store(self, data: bytes, sha: str, suffix: str, when: str) -> str:
        """Keep a copy under 收件/ with a name gkxl makes (never the file's own name)."""
        suffix = suffix.lower() if suffix.lower() in SAFE_SUFFIX else ".bin"
        stamp = when[:19].replace("-", "").replace(":", "").replace("T", "-")
        rel = Path(INBOX) / f"{stamp}-{sha[:12]}{suffix}"
        dest = self.root / rel
        if not dest.exists():
            from ..files.outputs import atomic_write
            atomic_write(dest, data)
        return rel.as_posix()

    def add_paths(self, paths: Iterable[str | os.PathLike], *, prior=None, form=None, jobs: int | None = None,
                  progress: Callable[[], None] | None = None, command: str = "add",
                  received: datetime | None = None) -> AddResult:
        """Files received another way (USB stick, chat, shared folder): copy in, check, record.

        `received`: when they really arrived (default: now). An unchanged file already added
        (same path, size and time) is not read again."""

        res = AddResult()
        scan = _scan(paths, exclude=[self.root / LEDGER_NAME])
        res.skipped.extend(scan[1])
        todo: list[tuple[Path, os.stat_result]] = []
        for p in scan[0]:
            try:
                st = p.stat()
            except OSError as e:
                res.skipped.append((str(p), os_reason(e)))
                continue
            src = str(p.resolve())
            row = self.conn.execute("SELECT size, mtime_ns FROM seen WHERE source=?", (src,)).fetchone()
            if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
                res.known += 1
                continue
            todo.append((p, st))
        if not todo:
            return res
        from ..checks.batch import check_many
        when = received.isoformat() if received is not None else now_iso(precise=True)
        staged = []
        inside = self.root.resolve()
        for p, st in todo:
            try:
                data = p.read_bytes()
            except OSError as e:
                res.skipped.append((str(p), os_reason(e)))
                continue
            sha = hashlib.sha256(data).hexdigest()
            rp = p.resolve()
            stored = rp.relative_to(inside).as_posix() if rp.is_relative_to(inside) else self._store(data, sha, p.suffix, when)
            staged.append((p, st, sha, stored, len(data)))
        briefs = check_many([self.abspath(s[3]) for s in staged], prior=prior, form=form, jobs=jobs, progress=progress)
        with self.tx():
            for (p, st, sha, stored, size), b in zip(staged, briefs):
                src = str(p.resolve())
                key = f"add:{src}:{sha}"
                fid = self._insert_checked(key, "add", src, stored, p.name, sha, size, when, b)
                if fid is not None:
                    res.new.append(fid)
                    self._event("add", b.agency_code, fid, f"{command}：{p}")
                else:
                    fid = self.conn.execute("SELECT id FROM files WHERE origin_key=?", (key,)).fetchone()[0]
                    res.known += 1
                self.conn.execute("INSERT OR REPLACE INTO seen VALUES(?, ?, ?, ?)",
                                  (src, st.st_size, st.st_mtime_ns, fid))
        return res

    def _insert_checked(self, key: str, origin: str, source: str, stored: str, name: str, sha: str, size: int,
                        received_at: str, b, *, message_id: str = "", sender: str = "", subject: str = "") -> int | None:
        kind = UNREADABLE if b.status == "unreadable" else (ROLLUP if b.is_rollup else RETURN)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO files(origin_key, origin, source, path, original_name, sha256, size, received_at,"
            " added_at, message_id, sender, subject, kind, agency_code, agency_name, year, verdict, errors, warnings,"
            " members, own_time, error, first_errors, checked_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, origin, source, stored, name, sha, size, received_at, now_iso(), message_id, sender, subject, kind,
             b.agency_code, b.agency_name, b.year, b.status, b.n_errors, b.n_warnings, b.members,
             b.modified or b.created_at, b.error, json.dumps(list(b.first_errors), ensure_ascii=False), now_iso()))
        return cur.lastrowid if cur.rowcount else None

    def add_reply(self, key: str, *, kind: str, source: str, name: str, sha: str = "", size: int = 0,
                  received_at: str = "", message_id: str = "", sender: str = "", subject: str = "",
                  error: str = "", stored: str = "") -> int | None:
        """Something received that is not a readable return (a .docx, a broken file, a mail with no attachment)."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO files(origin_key, origin, source, path, original_name, sha256, size, received_at,"
            " added_at, message_id, sender, subject, kind, verdict, error) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, "mail", source, stored, name, sha, size, received_at, now_iso(), message_id, sender, subject, kind,
             "unreadable" if kind == UNREADABLE else "", error))
        return cur.lastrowid if cur.rowcount else None

    def ingest_collected(self, out_dir: Path, *, prior=None, form=None, jobs: int | None = None,
                         progress=None) -> AddResult:
        """Bring every row of a collect manifest into the ledger (rows already in are skipped)."""
        from ..mail import manifest as mf

        res = AddResult()
        rows = mf.read_manifest(mf.manifest_path(out_dir))
        known = {k for (k,) in self.conn.execute("SELECT origin_key FROM files WHERE origin='mail'")}
        todo = [t for t in mf.entries(rows) if t[0] not in known]
        res.known = len(rows) - len(todo)
        saved = [t for t in todo if t[1] == mf.ENTRY_RETURN]
        from ..checks.batch import check_many
        briefs = check_many([out_dir / t[2]["saved_as"] for t in saved], prior=prior, form=form, jobs=jobs,
                            progress=progress)
        by_key = {t[0]: b for t, b in zip(saved, briefs)}
        inside = self.root.resolve()
        with self.tx():
            for key, kind, r in todo:
                common = dict(message_id=r["message_id"], sender=r["sender"], subject=r["subject"],
                              received_at=r["received_at"])
                if kind == mf.ENTRY_RETURN:
                    b = by_key[key]
                    p = (out_dir / r["saved_as"]).resolve()
                    stored = p.relative_to(inside).as_posix() if p.is_relative_to(inside) else str(p)
                    common.pop("received_at")
                    fid = self._insert_checked(key, "mail", r.get("source", ""), stored, r["attachment_name"],
                                               r["sha256"] or b.sha256, int(r.get("size") or 0),
                                               r["received_at"], b, **common)
                else:
                    name = r["attachment_name"] if r["record"] == mf.ATTACHMENT else (
                        "（邮件没有附件）" if r["fate"] == mf.NO_ATTACHMENT else "（邮件无法读取）")
                    fid = self.add_reply(key, kind=UNREADABLE if kind == mf.ENTRY_UNREADABLE else NOT_RETURN,
                                         source=r.get("source", ""), name=name, sha=r["sha256"],
                                         size=int(r.get("size") or 0),
                                         error=f"{r['fate']}：{r.get('detail', '')}".rstrip("："), **common)
                if fid is not None:
                    res.new.append(fid)
                    self._event("collect", r.get("agency_code", ""), fid, f"邮件 {r['message_id']}")
        return res


def _scan(paths, exclude) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to add and entries skipped with their reason (gkxl.scan when present)."""
    try:
        from ..workbook.scan import scan_paths
    except ImportError:  # pragma: no cover - until the scanner lands
        from ..workbook.read import iter_paths
        return list(iter_paths(paths)), []
    r = scan_paths(paths, exclude=exclude)
    return list(r.files), [(str(s.path), s.reason) for s in r.skipped]
