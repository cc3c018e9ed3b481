"""Where received files came from, when they are plain folders rather than a ledger.

A folder written by `gkxl collect` holds manifest.csv: for each saved workbook the mail's received time,
Message-ID, sender and attachment name, and for each reply that brought no usable workbook a row too.
The roll-up (gkxl.rollup) never reads mail records itself: its caller builds a Provenance here and
passes it in. A ledger needs none of this: its rows are the provenance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import GkxlError
from .model import NOT_RETURN, UNREADABLE, Received


@dataclass
class Provenance:
    """What a roll-up of plain folders knows of its inputs beyond the files themselves."""

    info: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # path -> received_at, message_id, ...
    replies: list[Received] = field(default_factory=list)  # replies that are no saved return

    def of(self, path: str) -> Mapping[str, str] | None:
        return self.info.get(path)


def mail_info(files: Iterable[str | os.PathLike]) -> dict[str, dict[str, str]]:
    """Mail provenance (received time, Message-ID, sender, attachment name) of collected files, keyed by the
    path as given; each collect folder's manifest is read once. A damaged manifest gives nothing, never an error."""
    from ..mail import received_index
    from ..mail.manifest import manifest_path

    by_dir: dict[Path, list[str]] = {}
    for p in map(str, files):
        out_dir = Path(p).absolute().parent.parent  # collect's layout: DIR/<agency>/<file>
        by_dir.setdefault(out_dir, []).append(p)
    out: dict[str, dict[str, str]] = {}
    for d, paths in by_dir.items():
        if not manifest_path(d).is_file():
            continue
        try:
            index = received_index(d)
        except (GkxlError, OSError, ValueError):  # a damaged manifest must not stop a roll-up
            continue
        for p in paths:
            info = index.get(str(Path(p).absolute()))
            if info:
                out[p] = info
    return out


def manifest_replies(paths: Iterable[str | os.PathLike], start: int = 0) -> list[Received]:
    """What a collect folder received that is not a saved return (a .docx, a broken file, a reply with
    nothing attached): so that a plain-folder roll-up says 已回复但附件不是报表, not 未报送, like a ledger."""
    from ..mail import manifest as mf

    out: list[Received] = []
    for p in paths:
        p = Path(p)
        if not (p.is_dir() and mf.manifest_path(p).is_file()):
            continue
        try:
            rows = mf.read_manifest(mf.manifest_path(p))
        except GkxlError:
            continue
        for key, kind, r in mf.entries(rows):
            if kind == mf.ENTRY_RETURN:
                continue
            name = r["attachment_name"] if r["record"] == mf.ATTACHMENT else "（邮件没有附件）"
            out.append(Received(key, "", UNREADABLE if kind == mf.ENTRY_UNREADABLE else NOT_RETURN, r["sha256"],
                                received_at=r["received_at"], seq=start + len(out), message_id=r["message_id"],
                                sender=r["sender"], original_name=name,
                                error=f"{r['fate']}：{r.get('detail', '')}".rstrip("：")))
    return out


def folder_provenance(paths: Iterable[str | os.PathLike], files: Iterable[str | os.PathLike]) -> Provenance:
    """The provenance of a roll-up of plain folders: `paths` as given on the command line, `files` the
    workbooks found in them."""
    return Provenance(mail_info(files), manifest_replies(list(paths)))
