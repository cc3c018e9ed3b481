"""Decoding the names and headers that real Chinese mail clients send.

Standards say a non-ASCII attachment name is RFC 2231 (`filename*=`), and a
header is RFC 2047 (`=?charset?B?...?=`). In practice Outlook and Foxmail put
RFC 2047 words inside quoted parameters, old webmail sends raw GBK bytes with
no declaration at all, and `charset=gb2312` is often a lie (the bytes are GBK
or UTF-8). Everything here turns such bytes into the most plausible text and
never raises: a name that cannot be decoded becomes text with replacement
characters, because a bad name must not lose the attachment.
"""

from __future__ import annotations

import re
import unicodedata
from email.header import decode_header

# gb2312 and gbk are subsets of gb18030: decoding with the superset accepts
# the characters that clients put in while declaring the subset.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "gb_2312-80": "gb18030", "chinese": "gb18030", "csgb2312": "gb18030", "hz-gb-2312": "hz",
    "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8", "ascii": "utf-8", "us-ascii": "utf-8",
    "iso-8859-1": "latin-1", "unknown-8bit": "", "x-unknown": "", "default": "",
}
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _codec(charset: str | None) -> str:
    cs = (charset or "").strip().strip('"').lower()
    cs = cs.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*zh-cn
    return _ALIASES.get(cs, cs)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes of unknown or untrustworthy encoding -> text.

    Valid UTF-8 wins even against a declaration (GBK bytes are almost never
    valid UTF-8, while "gb2312" on UTF-8 bytes is a common client bug), then
    the declared charset, then GB18030 (which covers GBK and GB2312), then Big5.
    """
    if not data:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    tried = []
    for cs in (_codec(charset), "gb18030", "big5"):
        if not cs or cs in tried or cs in ("utf-8", "latin-1"):
            continue
        tried.append(cs)
        try:
            return data.decode(cs)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


def _raw_bytes(text: str) -> bytes:
    """Undo the parser's surrogateescape: the header's original bytes."""
    return text.encode("utf-8", errors="surrogateescape")


def decode_text(value: object) -> str:
    """A header or parameter value as delivered by `email` (compat32) -> text.

    Handles: RFC 2231 tuples, RFC 2047 words anywhere (also inside quotes, also
    split mid-character across words), raw 8-bit bytes, mis-declared charsets.
    """
    if value is None:
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
        charset, _lang, text = value
        data = text.encode("latin-1", errors="surrogateescape") if isinstance(text, str) else bytes(text)
        return decode_text(decode_bytes(data, charset))
    if not isinstance(value, str):  # email.header.Header and friends
        value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(_raw_bytes(value))
    if "=?" in value and _ENCODED_WORD.search(value):
        value = _decode_words(value)
    return value


def _decode_words(value: str) -> str:
    # decode_header wants words separated by whitespace; clients glue them
    # together ("=?gbk?B?..?==?gbk?B?..?=") or put them inside quotes.
    spaced = re.sub(r"\?==\?", "?= =?", value)
    try:
        parts = decode_header(spaced)
    except Exception:  # a malformed word: leave it visible rather than lose it
        return value
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


def clean_name(name: str) -> str:
    """An attachment name fit to show in the manifest: no path, no controls.

    Only ever displayed, never used to build a path (files are named by gkxl)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip('"').strip()
    return name[:200]


def raw_header(msg, name: str) -> str | None:
    """A header exactly as received (8-bit bytes as surrogates).

    `msg.get()` would turn undeclared 8-bit bytes into U+FFFD before we could
    guess their encoding; `raw_items()` keeps them."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else str(value)
    return None


def header_text(msg, name: str) -> str:
    """A decoded, unfolded header value ('' when absent)."""
    raw = raw_header(msg, name)
    if raw is None:
        return ""
    text = decode_text(raw)
    return " ".join(text.split())


def addresses(value: str) -> list[str]:
    """Mail addresses in a From/To header value or a roster cell, lower-cased."""
    return [a.lower() for a in re.findall(r"[A-Za-z0-9._%+\-=!#$&'*/?^`{|}~]+@[A-Za-z0-9.\-]+[A-Za-z0-9]", value or "")]


# C0 (CR, LF, TAB...), DEL, C1 and the Unicode line/paragraph separators: in a
# header any of them can end the line and start a forged one.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def inline_text(value: object) -> str:
    """One line of text for a header or a sentence: control characters become a
    space, runs of blanks one space (an agency name with a line break cannot
    start a new header)."""
    return " ".join(CONTROL_RE.sub(" ", "" if value is None else str(value)).split())


def block_text(value: object) -> str:
    """Multi-line text for a message body: line breaks and tabs kept (CRLF made LF),
    every other control character removed."""
    text = ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", "", text)


_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_SEPARATORS = re.compile(r"[;,、\s]+")


def is_addr_spec(addr: str) -> bool:
    """Exactly one plain address (a@b.cn): dot-atom local part, dotted host name;
    no display name, quoting, comment, blank or control character."""
    if not isinstance(addr, str) or len(addr) > 254 or addr.count("@") != 1:
        return False
    local, host = addr.split("@")
    labels = host.split(".")
    return (len(local) <= 64 and bool(_LOCAL.fullmatch(local)) and len(labels) >= 2
            and all(_LABEL.fullmatch(x) for x in labels) and not labels[-1].isdigit())


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message, control characters written out (\\r, \\n,
    \\x07), so an injected line cannot forge or hide a line of the output."""
    out = []
    for ch in value[:limit]:
        if CONTROL_RE.match(ch):
            out.append({"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(ch)
                       or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    return "“" + "".join(out) + ("…" if len(value) > limit else "") + "”"


def recipients(cell: str) -> tuple[list[str], str]:
    """Strictly, the addresses to send to: (addresses, "") or ([], the Chinese reason).

    Unlike `addresses` (which finds what looks like an address anywhere, for
    comparing senders), every part of the cell must be one plain addr-spec
    (separated by ; , 、 or blanks, full-width ones too), and a line break or
    other control character refuses the whole cell: it is how a forged "Bcc:"
    or a second recipient gets into a message."""
    cell = cell or ""
    if CONTROL_RE.search(cell):
        return [], f"邮箱 {shown(cell)} 中含有换行等控制字符（可能是伪造的邮件头）"
    good: list[str] = []
    for token in _SEPARATORS.split(unicodedata.normalize("NFKC", cell)):
        if not token:
            continue
        if not is_addr_spec(token):
            return [], f"邮箱 {shown(cell)} 中的 {shown(token)} 不是有效的邮箱地址"
        if token.lower() not in (g.lower() for g in good):
            good.append(token)
    return good, ""
