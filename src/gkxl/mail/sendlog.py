"""The send log: an append-only CSV of what was attempted and what the server said (see send.py)."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MailError, OutputError, os_reason
from . import manifest as mf
from .parse import BEIJING

if TYPE_CHECKING:
    from .send import Job

LOG_NAME = ".gkxl-sent.csv"
LOG_COLUMNS = ["时间", "类型", "文件", "单位代码", "收件人", "附件SHA-256", "邮件ID", "状态", "说明"]
SENDING, SENT, FAILED = "发送中", "已发送", "失败"


class SendLog:
    """Append-only CSV: what was attempted and what the server said."""

    def __init__(self, path: Path, purpose: str) -> None:
        """`purpose`: templates, feedback or reminders (the log's 类型 column)."""
        self.path = path
        self.purpose = purpose
        self.status: dict[tuple[str, str], str] = {}
        if path.exists():
            try:
                text = path.read_bytes().decode("utf-8-sig", errors="replace")
            except OSError as e:
                raise MailError(f"无法读取发送记录 {path}：{os_reason(e)}", code="MAIL_LOG", path=str(path)) from None
            for row in list(csv.DictReader(io.StringIO(text, newline=""))):
                if row.get("类型") == purpose:
                    self.status[(mf.restore(row.get("文件", "")), row.get("附件SHA-256", ""))] = row.get("状态", "")

    def get(self, job: Job) -> str:
        return self.status.get((job.key, job.sha), "")

    def write(self, job: Job, status: str, message_id: str = "", note: str = "") -> None:
        new = not self.path.exists()
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\r\n")
        if new:
            w.writerow(LOG_COLUMNS)
        w.writerow([mf.neutralise(x) for x in (datetime.now(BEIJING).replace(microsecond=0).isoformat(), self.purpose,
                                               job.key, job.code, "; ".join(job.to), job.sha, message_id, status,
                                               note)])
        data = buf.getvalue().encode("utf-8-sig" if new else "utf-8")
        try:
            with open(self.path, "ab") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as e:
            raise OutputError(f"无法写入发送记录 {self.path}：{os_reason(e)}", code="OUTPUT_IO",
                              path=str(self.path)) from None
        self.status[(job.key, job.sha)] = status
