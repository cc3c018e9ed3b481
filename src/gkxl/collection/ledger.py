"""The collection ledger: one SQLite file that is the record of a year's collection.

A working folder (`gkxl init DIR`) holds the ledger `gkxl.db`, a copy of the
roster, the files received (`收件/` for `gkxl add`, `邮件/` for `gkxl collect`)
and the outputs. Every file received is a row, never deleted; every decision
of the coordinator (assign, accept, reject, confirm) and every message sent
(feedback, reminder) is a row with its time and command. Which version counts
is not stored: it is derived each time by gkxl.collection.resolve from these
rows, so it can never go stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import Iterable

from . import RETURN, ROLLUP, UNREADABLE, Received, Resolution, resolve
from ..errors import GkxlError, os_reason
from .deadline import now_iso  # noqa: F401 - public here too
from .intake import AddResult, Intake  # noqa: F401 - AddResult is public here too

LEDGER_NAME = "gkxl.db"
INBOX = "收件"
MAILBOX = "邮件"
OUTPUTS = "输出"
ROSTER_STEM = "名单"
SCHEMA_VERSION = "1"
BEIJING = timezone(timedelta(hours=8))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY,
    origin_key TEXT NOT NULL UNIQUE,   -- what makes a second arrival of the same thing the same row
    origin TEXT NOT NULL,              -- add | mail
    source TEXT NOT NULL DEFAULT '',   -- where it came from: the path given, or the mail source
    path TEXT NOT NULL DEFAULT '',     -- the stored copy, relative to the working folder ('' if not kept)
    original_name TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    message_id TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,                -- return | rollup | not_return | unreadable
    agency_code TEXT NOT NULL DEFAULT '',
    agency_name TEXT NOT NULL DEFAULT '',
    year INTEGER,
    verdict TEXT NOT NULL DEFAULT '',  -- pass | fail | unreadable | ''
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    members TEXT NOT NULL DEFAULT '',
    own_time TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    first_errors TEXT NOT NULL DEFAULT '[]',
    checked_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE TABLE IF NOT EXISTS seen(              -- `add`: an unchanged file is not read again
    source TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, file_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS decisions(
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, command TEXT NOT NULL, file_id INTEGER,
    action TEXT NOT NULL, code TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS roster(            -- the validated roster, reloaded when its file changes
    ord INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL, parent TEXT NOT NULL,
    email TEXT NOT NULL, kind TEXT NOT NULL, contact TEXT NOT NULL, phone TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL DEFAULT '',
    file_id INTEGER, detail TEXT NOT NULL DEFAULT '');
"""

FILE_COLUMNS = ("id", "origin", "source", "path", "original_name", "sha256", "received_at", "added_at", "message_id",
                "sender", "kind", "agency_code", "agency_name", "year", "verdict", "errors", "warnings", "members",
                "own_time", "error")
SAFE_SUFFIX = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".docx", ".doc", ".pdf", ".zip", ".wps"}


def find_dir(start: str | os.PathLike | None = None) -> Path | None:
    """The working folder: `start` if given, else the current folder or one above it holding a ledger."""
    if start is not None:
        return Path(start)
    here = Path.cwd()
    for d in (here, *here.parents):
        if (d / LEDGER_NAME).is_file():
            return d
    return None


class Ledger(Intake):
    """One working folder's ledger. Open with Ledger.open(DIR) or create with Ledger.init(...)."""

    def __init__(self, root: Path, conn: sqlite3.Connection) -> None:
        self.root = root
        self.conn = conn
        self._roster = None

    # ------------------------------------------------------------ opening

    @staticmethod
    def _connect(db: Path) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(str(db), timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise GkxlError(f"台账文件 {db} 无法打开（{e}）：文件可能已损坏，或不是 gkxl 的台账",
                            code="LEDGER_CORRUPT", path=str(db)) from None
        return conn

    @classmethod
    def open(cls, root: str | os.PathLike) -> "Ledger":
        root = Path(root)
        db = root / LEDGER_NAME
        if not db.is_file():
            raise GkxlError(f"{root} 不是 gkxl 工作目录（没有台账 {LEDGER_NAME}）；请先运行 gkxl init {root} --roster 名单.xlsx",
                            code="LEDGER_MISSING", path=str(root))
        led = cls(root, cls._connect(db))
        if led.meta("schema") != SCHEMA_VERSION:
            raise GkxlError(f"台账 {db} 的版本（{led.meta('schema') or '未知'}）与本程序不符", code="LEDGER_VERSION",
                            path=str(db))
        return led

    @classmethod
    def init(cls, root: str | os.PathLike, roster_file: str | os.PathLike, year: int, *,
             deadline: date | None = None, prior: Iterable[str | os.PathLike] = (), form: str = "") -> "Ledger":
        """Make a working folder: validate the roster first, then copy it in and start the ledger."""
        from ..roster import load_roster

        root = Path(root)
        src = Path(roster_file)
        roster = load_roster(src)  # refuse a bad roster before anything is written
        if (root / LEDGER_NAME).exists():
            raise GkxlError(f"{root} 已经是 gkxl 工作目录；要换名单，请直接修改其中的名单文件", code="LEDGER_EXISTS",
                            path=str(root))
        try:
            root.mkdir(parents=True, exist_ok=True)
            for sub in (INBOX, OUTPUTS):
                (root / sub).mkdir(exist_ok=True)
            dest = root / (ROSTER_STEM + src.suffix.lower())
            if src.resolve() != dest.resolve():
                shutil.copyfile(src, dest)
        except OSError as e:
            raise GkxlError(f"无法创建工作目录 {root}：{os_reason(e)}", code="LEDGER_IO", path=str(root)) from None
        led = cls(root, cls._connect(root / LEDGER_NAME))
        with led.tx():
            for k, v in (("schema", SCHEMA_VERSION), ("year", str(year)), ("roster", dest.name),
                         ("deadline", deadline.isoformat() if deadline else ""),
                         ("prior", json.dumps([str(Path(p).resolve()) for p in prior], ensure_ascii=False)),
                         ("form", form), ("created_at", now_iso())):
                led.conn.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (k, v))
            led._event("init", "", None, f"名单 {src.name}（{len(roster)} 行），{year} 年度")
        led._roster = led._load_roster()
        return led

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self):
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, et, ev, tb):
            self.conn.execute("COMMIT" if et is None else "ROLLBACK")

    def tx(self) -> "_Tx":
        """One write transaction (BEGIN IMMEDIATE: a second writer waits, never interleaves)."""
        return Ledger._Tx(self.conn)

    # ------------------------------------------------------------ settings

    def meta(self, key: str) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else ""

    @property
    def year(self) -> int:
        return int(self.meta("year"))

    @property
    def deadline(self) -> date | None:
        v = self.meta("deadline")
        return date.fromisoformat(v) if v else None

    @property
    def prior(self) -> list[Path]:
        return [Path(p) for p in json.loads(self.meta("prior") or "[]")]

    @property
    def roster_path(self) -> Path:
        return self.root / self.meta("roster")

    @property
    def roster(self):
        """The working folder's roster. Validated when its file changes (the coordinator may edit it);
        otherwise read back from the ledger, which is much faster than parsing and validating again."""
        if self._roster is None:
            self._roster = self._load_roster()
        return self._roster

    def _load_roster(self):
        from ..roster import Agency, Roster, load_roster

        p = self.roster_path
        try:
            raw = p.read_bytes()
        except OSError as e:
            raise GkxlError(f"无法读取工作目录中的名单文件 {p}：{os_reason(e)}", code="LEDGER_ROSTER",
                            path=str(p)) from None
        sig = hashlib.sha256(raw).hexdigest()
        if self.meta("roster_sha256") == sig:
            agencies = [Agency(*row) for row in self.conn.execute(
                "SELECT code, name, region, parent, email, kind, contact, phone FROM roster ORDER BY ord")]
            r = Roster(agencies, str(p))
            info = json.loads(self.meta("roster_info") or "{}")
            r.notes[:] = info.get("notes", [])
            r.implicit_regions[:] = info.get("implicit", [])
            return r
        r = load_roster(p)
        old = self.meta("roster_sha256")
        with self.tx():
            self.conn.execute("DELETE FROM roster")
            self.conn.executemany("INSERT INTO roster VALUES(?,?,?,?,?,?,?,?,?)",
                                  [(i, a.code, a.name, a.region, a.parent, a.email, a.kind, a.contact, a.phone)
                                   for i, a in enumerate(r.agencies)])
            for k, v in (("roster_sha256", sig), ("roster_info", json.dumps(
                    {"notes": r.notes, "implicit": r.implicit_regions}, ensure_ascii=False))):
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (k, v))
            if old:
                self._event("roster", "", None, f"名单文件已修改，重新读取：{len(r)} 行")
        return r

    def set_deadline(self, d: date | None, command: str = "") -> None:
        with self.tx():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES('deadline', ?)", (d.isoformat() if d else "",))
            self._event("deadline", "", None, f"{command}：截止日期改为 {d.isoformat() if d else '无'}")

    # ------------------------------------------------------------ reading back

    def files(self, where: str = "", args: tuple = ()) -> list[Received]:
        """Every received file as the collection sees it, with the decisions on it applied."""
        dec = {}
        for fid, action, code, reason in self.conn.execute(
                "SELECT file_id, action, code, reason FROM decisions WHERE action IN ('assign','accept','reject','undo')"
                " ORDER BY id"):
            dec[fid] = None if action == "undo" else (action, code, reason)
        out = []
        root = str(self.root)
        join, isabs = os.path.join, os.path.isabs
        q = f"SELECT {', '.join(FILE_COLUMNS)} FROM files {where} ORDER BY id"
        for (fid, _origin, _source, path, original_name, sha, received_at, added_at, message_id, sender, kind, code,
             name, year, verdict, errors, warnings, members, own_time, error) in self.conn.execute(q, args):
            f = Received(str(fid), (path if isabs(path) else join(root, path)) if path else "", kind, sha, code, name,
                         year, verdict, errors, warnings, members, received_at or added_at, own_time, fid, message_id,
                         sender, original_name, error)
            dd = dec.get(fid)
            if dd:
                f.decision, f.decision_code, f.decision_reason = dd
            out.append(f)
        return out

    def file_row(self, fid: int) -> dict | None:
        row = self.conn.execute(f"SELECT {', '.join(FILE_COLUMNS)}, subject FROM files WHERE id=?", (fid,)).fetchone()
        return dict(zip(FILE_COLUMNS + ("subject",), row)) if row else None

    def find_file(self, ref: str) -> int:
        """A file named by the coordinator: its ledger number (#12 or 12), its stored path or its original path."""
        ref = ref.strip()
        num = ref.lstrip("#")
        if num.isdigit():
            if self.conn.execute("SELECT 1 FROM files WHERE id=?", (int(num),)).fetchone():
                return int(num)
        p = Path(ref)
        cands = {str(p), str(p.resolve())}
        try:
            cands.add(p.resolve().relative_to(self.root.resolve()).as_posix())
        except ValueError:
            pass
        rows = self.conn.execute(
            f"SELECT id FROM files WHERE path IN ({','.join('?' * len(cands))}) OR source IN ({','.join('?' * len(cands))})"
            " ORDER BY id DESC", (*cands, *cands)).fetchall()
        if not rows and p.is_file():
            sha = hashlib.sha256(p.read_bytes()).hexdigest()
            rows = self.conn.execute("SELECT id FROM files WHERE sha256=? ORDER BY id DESC", (sha,)).fetchall()
        if not rows:
            raise GkxlError(f"台账中没有文件“{ref}”；可用 gkxl status 或 gkxl history 单位代码 查看文件编号",
                            code="LEDGER_NO_FILE")
        return rows[0][0]

    def marks(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """(confirmed: code -> file key, feedback: file key -> when, reminders: code -> when)."""
        confirmed: dict[str, str] = {}
        for code, fid, action in self.conn.execute(
                "SELECT code, file_id, action FROM decisions WHERE action IN ('confirm','unconfirm') ORDER BY id"):
            if action == "confirm":
                confirmed[code] = str(fid)
            else:
                confirmed.pop(code, None)
        # feedback is per version: a file identical to one already returned counts as returned too
        feedback = {str(fid): at for at, fid in self.conn.execute(
            "SELECT e.at, f2.id FROM events e JOIN files f1 ON f1.id = e.file_id"
            " JOIN files f2 ON f2.sha256 = f1.sha256 AND f2.sha256 != '' WHERE e.kind='feedback' ORDER BY e.id")}
        reminders = {code: at for at, code in self.conn.execute(
            "SELECT at, code FROM events WHERE kind='reminder' ORDER BY id")}
        return confirmed, feedback, reminders

    def resolve(self, region: str | None = None, files: list[Received] | None = None) -> Resolution:
        confirmed, feedback, reminders = self.marks()
        return resolve(self.roster, files if files is not None else self.files(), year=self.year, region=region,
                       deadline=self.deadline, confirmed=confirmed, feedback=feedback, reminders=reminders)

    # ------------------------------------------------------------ decisions and events

    def _event(self, kind: str, code: str, fid: int | None, detail: str) -> None:
        self.conn.execute("INSERT INTO events(at, kind, code, file_id, detail) VALUES(?,?,?,?,?)",
                          (now_iso(), kind, code, fid, detail))

    def event(self, kind: str, code: str, fid: int | None, detail: str = "") -> None:
        with self.tx():
            self._event(kind, code, fid, detail)

    def decide(self, fid: int, action: str, *, code: str = "", reason: str = "", command: str = "") -> None:
        with self.tx():
            self.conn.execute("INSERT INTO decisions(at, command, file_id, action, code, reason) VALUES(?,?,?,?,?,?)",
                              (now_iso(), command or action, fid, action, code, reason))

    def decisions(self, code: str | None = None) -> list[dict]:
        q = "SELECT at, command, file_id, action, code, reason FROM decisions"
        rows = self.conn.execute(q + (" WHERE code=? OR file_id IN (SELECT id FROM files WHERE agency_code=?)"
                                      if code else "") + " ORDER BY id", (code, code) if code else ()).fetchall()
        return [dict(zip(("at", "command", "file_id", "action", "code", "reason"), r)) for r in rows]

    def events(self, code: str | None = None) -> list[dict]:
        q = "SELECT at, kind, code, file_id, detail FROM events"
        rows = self.conn.execute(q + (" WHERE code=?" if code else "") + " ORDER BY id",
                                 (code,) if code else ()).fetchall()
        return [dict(zip(("at", "kind", "code", "file_id", "detail"), r)) for r in rows]

    def update_verdict(self, fid: int, b) -> None:
        """A fresh check of a stored file (the file is read again each time; this keeps the board current)."""
        kind = UNREADABLE if b.status == "unreadable" else (ROLLUP if b.is_rollup else RETURN)
        with self.tx():
            self.conn.execute(
                "UPDATE files SET kind=?, agency_code=?, agency_name=?, year=?, verdict=?, errors=?, warnings=?,"
                " members=?, error=?, first_errors=?, checked_at=? WHERE id=?",
                (kind, b.agency_code, b.agency_name, b.year, b.status, b.n_errors, b.n_warnings, b.members, b.error,
                 json.dumps(list(b.first_errors), ensure_ascii=False), now_iso(), fid))
