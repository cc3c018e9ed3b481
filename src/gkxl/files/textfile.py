"""Text files as Chinese offices save them: UTF-8 (with or without a BOM) or GB18030.

Notepad and Excel on Chinese Windows still write GBK by default, so every text
input (roster CSV, mail template, manifest, published report) is tried as
UTF-8 first, then as GB18030, which is a superset of GBK and GB2312.
"""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_local(raw: bytes) -> str | None:
    """The text, or None when it is in neither encoding."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None
