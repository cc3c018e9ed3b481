"""Hand-off by email: send templates out, collect returns in, send corrections back.

    collect(sources, out_dir, roster=...)      -> CollectResult   (see collect.py)
    received_info(path)                         -> dict | None     (provenance of a collected file)
    received_index(out_dir)                     -> {path: dict}    (the same for every collected file)
    message_rows(out_dir)                       -> [dict]          (every message, its attachments, its fate)
    send_templates(roster, templates_dir, ...)  -> SendResult      (see send.py)
    send_feedback(feedback_dir, ...)            -> SendResult
"""

from __future__ import annotations

from .collect import MAX_ATTACHMENT, CollectResult, collect, message_rows, received_index, received_info
from .send import SendResult, send_feedback, send_templates

__all__ = ["MAX_ATTACHMENT", "CollectResult", "SendResult", "collect", "message_rows", "received_index",
           "received_info", "send_feedback", "send_templates"]
