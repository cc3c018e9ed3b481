"""The collect manifest: one CSV row per message and per attachment.

It is for the coordinator (opens in Excel: UTF-8 with BOM, Chinese headers)
and for gkxl itself (what was already collected, where a file came from).
Cells are neutralised against formula injection: a value that Excel would
run as a formula gets a leading apostrophe, and so does a value that already
starts with one, so reading back is exact: strip one leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
from functools import lru_cache
from pathlib import Path

from ..errors import MailError, os_reason
from ..files.textfile import decode_local
from ..files.outputs import atomic_write
from ..files.tabular import neutralise_text, restore  # noqa: F401 - restore is public here too

MANIFEST_NAME = "manifest.csv"
UNIDENTIFIED = "_unidentified"

# (key, Chinese header): the order is the column order
COLUMNS: list[tuple[str, str]] = [
    ("record", "记录类型"),
    ("received_at", "收件时间"),
    ("message_id", "邮件ID"),
    ("sender", "发件人"),
    ("subject", "主题"),
    ("source", "来源"),
    ("attachment_name", "附件名"),
    ("size", "大小（字节）"),
    ("sha256", "SHA-256"),
    ("agency_code", "单位代码"),
    ("agency_name", "单位名称"),
    ("year", "年度"),
    ("fate", "处理结果"),
    ("saved_as", "保存位置"),
    ("detail", "说明"),
    ("warning", "提醒"),
    ("collected_at", "收取时间"),
    ("message_sha256", "邮件指纹"),
]
KEYS = [k for k, _ in COLUMNS]
HEADERS = {k: h for k, h in COLUMNS}
BY_HEADER = {h: k for k, h in COLUMNS}

MESSAGE, ATTACHMENT = "邮件", "附件"
# fates of an attachment
SAVED = "已保存"
DUPLICATE = "重复"
SUPERSEDED = "已被替代"
UNIDENTIFIED_FATE = "未识别单位"
NOT_SPREADSHEET = "不是电子表格"
UNSUPPORTED = "不支持的表格格式"
UNREADABLE = "无法读取"
TOO_LARGE = "过大"
# fates of a message
PROCESSED = "已处理"  # at least one attachment is a workbook (saved, duplicate, superseded, unidentified)
NO_ATTACHMENT = "无附件"
NO_RETURN = "附件不是报表"  # attachments, but none of them a workbook gkxl could take
NOT_MAIL = "无法解析"
MESSAGE_TOO_LARGE = "邮件过大"

HAS_FILE = (SAVED, SUPERSEDED, UNIDENTIFIED_FATE)
IS_RETURN = (SAVED, SUPERSEDED, DUPLICATE, UNIDENTIFIED_FATE)  # an attachment that is a workbook

# what each manifest row means for the collection (see entries())
ENTRY_RETURN, ENTRY_NOT_RETURN, ENTRY_UNREADABLE = "return", "not_return", "unreadable"


def entries(rows: list[dict[str, str]]) -> list[tuple[str, str, dict[str, str]]]:
    """Every thing received, once: (stable key, kind, row) per attachment, and per message that
    brought no attachment at all (a reply with nothing attached, or a message that could not be read).

    kind is ENTRY_RETURN for a saved workbook (read it at row["saved_as"]), ENTRY_UNREADABLE for a
    workbook that could not be used, ENTRY_NOT_RETURN for anything else. The key is the message's
    content hash and the attachment's place in it, so the same mail collected again has the same key."""
    out: list[tuple[str, str, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows):
        msg_key = r.get("message_sha256") or r.get("message_id") or f"row{i}"
        if r["record"] == MESSAGE:
            if r["fate"] in (NO_ATTACHMENT, NOT_MAIL, MESSAGE_TOO_LARGE):
                kind = ENTRY_UNREADABLE if r["fate"] in (NOT_MAIL, MESSAGE_TOO_LARGE) else ENTRY_NOT_RETURN
                out.append((f"mail:{msg_key}", kind, r))
            continue
        n = seen[msg_key] = seen.get(msg_key, 0) + 1
        if r["fate"] in IS_RETURN and r["saved_as"]:
            kind = ENTRY_RETURN
        elif r["fate"] in (UNREADABLE, TOO_LARGE):
            kind = ENTRY_UNREADABLE
        else:
            kind = ENTRY_NOT_RETURN
        out.append((f"mail:{msg_key}:{n}", kind, r))
    return out


def neutralise(value: object) -> str:
    """A cell value Excel will show as text, never evaluate (None is ''); undone by restore."""
    return neutralise_text("" if value is None else str(value))


def manifest_path(out_dir: str | os.PathLike) -> Path:
    return Path(out_dir) / MANIFEST_NAME


def read_manifest(path: str | os.PathLike) -> list[dict[str, str]]:
    """Rows as dicts keyed by KEYS; [] when there is no manifest yet."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise MailError(f"无法读取收取清单 {p}：{os_reason(e)}", code="MAIL_MANIFEST", path=str(p)) from None
    return _parse(raw, str(p))


def _parse(raw: bytes, label: str) -> list[dict[str, str]]:
    text = decode_local(raw)  # gb18030: saved again by Excel on Chinese Windows
    if text is None:
        raise MailError(f"收取清单 {label} 的编码无法识别", code="MAIL_MANIFEST", path=label)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header = [BY_HEADER.get(h.strip()) for h in rows[0]]
    if "record" not in header or "fate" not in header:
        raise MailError(f"{label} 不是 gkxl 的收取清单（表头不符）；请勿修改表头，或换一个输出目录",
                        code="MAIL_MANIFEST", path=label)
    out = []
    for row in rows[1:]:
        if not any(row):
            continue
        d = {k: "" for k in KEYS}
        for key, cell in zip(header, row):
            if key:
                d[key] = restore(cell)
        out.append(d)
    return out


def render_manifest(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([h for _, h in COLUMNS])
    for r in rows:
        w.writerow([neutralise(r.get(k, "")) for k in KEYS])
    return buf.getvalue().encode("utf-8-sig")


def write_manifest(path: str | os.PathLike, rows: list[dict[str, str]]) -> None:
    atomic_write(Path(path), render_manifest(rows))


@lru_cache(maxsize=32)
def _cached(path: str, mtime_ns: int, size: int) -> tuple[dict[str, str], ...]:
    return tuple(read_manifest(path))


@lru_cache(maxsize=32)
def _saved_index(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in _cached(path, mtime_ns, size):
        if r["record"] == ATTACHMENT and r["fate"] in HAS_FILE:
            out.setdefault(r["saved_as"], r)
    return out


def saved_row(path: Path, saved_as: str) -> dict[str, str] | None:
    """The attachment row of a saved file ('code/name.xlsx'), looked up in an index
    built once per manifest version, so a roll-up of a large collection stays linear."""
    st = path.stat()
    return _saved_index(str(path), st.st_mtime_ns, st.st_size).get(saved_as)
