"""What collect recorded, read back: where a saved file came from (the roll-up's 来源 sheet) and every
message with its attachments (replies that are not returns included)."""

from __future__ import annotations

from pathlib import Path

from ..errors import MailError
from . import manifest as mf


def _info(r: dict[str, str]) -> dict[str, str]:
    return {"received_at": r["received_at"], "message_id": r["message_id"], "sender": r["sender"],
            "subject": r["subject"], "attachment_name": r["attachment_name"], "fate": r["fate"]}


def received_info(path: str | Path) -> dict[str, str] | None:
    """Where a file saved by collect came from, for the roll-up's 来源 sheet.

    `path` is DIR/<agency code>/<name>.xlsx; the manifest is DIR/manifest.csv.
    Returns received_at (ISO 8601, Beijing time), message_id, sender, subject,
    attachment_name (as the clerk named it; "包.zip/成员.xlsx" for a file from a
    zip) and fate (已保存 or 已被替代: a superseded file should not be rolled
    up), or None when the file is not in a collect manifest."""
    p = Path(path).absolute()
    out_dir = p.parent.parent
    m = mf.manifest_path(out_dir)
    if not m.is_file():
        return None
    rel = f"{p.parent.name}/{p.name}"
    try:
        r = mf.saved_row(m, rel)
    except (MailError, OSError):
        return None
    if r is None:
        return None
    return _info(r)


def received_index(out_dir: str | Path) -> dict[str, dict[str, str]]:
    """Every file collect saved in out_dir -> what received_info says of it, read in one go.

    Keys are absolute paths (str) of the saved files; {} when out_dir has no
    manifest. Raises MailError for a manifest that cannot be read."""
    root = Path(out_dir).absolute()
    out: dict[str, dict[str, str]] = {}
    for r in mf.read_manifest(mf.manifest_path(root)):
        if r["record"] == mf.ATTACHMENT and r["fate"] in mf.HAS_FILE and r["saved_as"]:
            out.setdefault(str(root / r["saved_as"]), _info(r))
    return out


def message_rows(out_dir: str | Path) -> list[dict]:
    """Every message collect recorded in out_dir, oldest record first: the manifest's
    message row (sender, received_at, message_id, subject, fate, detail, warning...)
    plus "attachments", the list of that message's attachment rows.

    For replies that are not returns: fate 无附件 (nothing attached) or 附件不是报表
    (attachments, none a workbook: a Word report, a PDF, an .xls...), with the
    sender's address, so the reply can be put against the sender's agency.
    Raises MailError for a manifest that cannot be read."""
    out: list[dict] = []
    for r in mf.read_manifest(mf.manifest_path(out_dir)):
        if r["record"] == mf.MESSAGE:
            out.append(dict(r, attachments=[]))
        elif out and (r["message_sha256"] == out[-1]["message_sha256"] or not r["message_sha256"]):
            out[-1]["attachments"].append(dict(r))
    return out
