"""Where messages come from: .eml files, folders of them, mbox, Maildir, IMAP.

Every source yields `Incoming` items in a stable order. The IMAP reader only
looks (EXAMINE, BODY.PEEK): collecting never marks, moves or deletes mail.
An IMAP message already in the manifest (same folder, UIDVALIDITY and UID) is
skipped before its body is fetched.
Every network wait has a timeout, so an unreachable server is an error,
never a hang.
"""

from __future__ import annotations

import base64
import imaplib
import mailbox
import os
import re
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

from ..errors import MailError, os_reason
from .parse import BEIJING, to_beijing

IMAP_PASSWORD_ENV = "GKXL_IMAP_PASSWORD"
TIMEOUT = 30.0  # seconds for any one network operation
MAX_MESSAGE = 200 * 1024 * 1024


@dataclass
class Incoming:
    source: str  # shown in the manifest: file path, or imap URL + UID
    raw: bytes | None  # None: not read (too large)
    arrived: datetime | None = None  # server INTERNALDATE, Maildir delivery or mbox From_ time
    size: int = 0
    skip: str = ""  # why raw is None
    file_time: datetime | None = None  # last resort for the received time


Seen = Callable[[str], bool]  # IMAP label (folder, UIDVALIDITY, UID) -> already collected?


def _file_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, BEIJING)
    except (OSError, ValueError, OverflowError):
        return None


def _read_file(path: Path, label: str | None = None) -> Incoming:
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MESSAGE:
            return Incoming(label, None, None, size, f"邮件文件过大（{size // (1 << 20)} MB）",
                            file_time=_file_time(path))
        return Incoming(label, path.read_bytes(), None, size, file_time=_file_time(path))
    except OSError as e:
        raise MailError(f"无法读取邮件文件 {label}：{os_reason(e)}", code="MAIL_IO", path=label) from None


def _is_mbox(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"From "
    except OSError as e:
        raise MailError(f"无法读取邮件文件 {path}：{os_reason(e)}", code="MAIL_IO", path=str(path)) from None


def _iter_mbox(path: Path) -> Iterator[Incoming]:
    try:
        box = mailbox.mbox(str(path), factory=None, create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as e:
        raise MailError(f"无法读取 mbox 邮箱 {path}：{e}", code="MAIL_IO", path=str(path)) from None
    for n, key in enumerate(keys, 1):
        raw = box.get_bytes(key)
        from_line = box.get_message(key).get_from() if len(raw) < MAX_MESSAGE else ""
        arrived = None
        if from_line and " " in from_line:
            try:
                arrived = to_beijing(datetime.strptime(" ".join(from_line.split()[1:6]), "%a %b %d %H:%M:%S %Y"))
            except ValueError:
                arrived = None
        label = f"{path}#{n}"
        if len(raw) > MAX_MESSAGE:
            yield Incoming(label, None, arrived, len(raw), "邮件过大")
        else:
            yield Incoming(label, raw, arrived, len(raw))
    box.close()


def _iter_maildir(path: Path) -> Iterator[Incoming]:
    """Maildir is just files in new/ and cur/; a name starts with its delivery time."""
    files = sorted((f for sub in ("new", "cur") for f in (path / sub).iterdir()
                    if f.is_file() and not f.name.startswith(".")), key=lambda f: f.name)
    for f in files:
        item = _read_file(f)
        m = re.match(r"(\d{9,11})\.", f.name)
        if m:
            item.arrived = datetime.fromtimestamp(int(m.group(1)), BEIJING)
        yield item


def is_imap_url(source: str) -> bool:
    return bool(re.match(r"(?i)^imaps?://", source))


def check_source(source: str) -> None:
    """Fail before any work when a source cannot possibly be read."""
    if is_imap_url(source):
        parse_imap_url(source)
        return
    p = Path(source)
    if not p.exists():
        raise MailError(f"找不到邮件来源 {source}（文件或文件夹不存在）", code="MAIL_SOURCE", path=source)


def iter_source(source: str, seen: Seen, *, password: Callable[[], str] | None = None,
                allow_plain: bool = False, ca_file: str | None = None,
                warn: Callable[[str], None] = lambda m: None) -> Iterator[Incoming]:
    """Every message of one source (see module docstring)."""
    if is_imap_url(source):
        yield from iter_imap(source, seen, password=password, allow_plain=allow_plain, ca_file=ca_file)
        return
    p = Path(source)
    check_source(source)
    if p.is_dir():
        if (p / "cur").is_dir() and (p / "new").is_dir():
            yield from _iter_maildir(p)
            return
        files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".eml")
        if not files:
            warn(f"文件夹 {p} 中没有 .eml 邮件文件")
        for f in files:
            yield _read_file(f)
        return
    if _is_mbox(p):
        yield from _iter_mbox(p)
    else:
        yield _read_file(p)


# ---------------------------------------------------------------- IMAP

@dataclass
class ImapTarget:
    tls: str  # "ssl" | "starttls"
    user: str
    host: str
    port: int
    folder: str

    def label(self) -> str:
        return f"imap://{self.user}@{self.host}:{self.port}/{self.folder}"


def split_mail_url(url: str, proto: str, env: str, example: str):
    """(parts, port, scheme) of a mail server address: `proto`s:// or `proto`://, a server name, and never
    a password (it would stay in the shell's history). A clear Chinese error for anything else."""
    name = proto.upper()
    try:
        u = urlsplit(url.strip())
        port = u.port
    except ValueError:
        raise MailError(f"{name} 地址“{url}”格式不正确，应为 {example}", code="MAIL_URL") from None
    scheme = u.scheme.lower()
    if scheme not in (proto, proto + "s"):
        raise MailError(f"{name} 地址“{url}”应以 {proto}s:// 或 {proto}:// 开头", code="MAIL_URL")
    if u.password is not None:
        raise MailError(f"请不要把密码写在命令行的地址中；请设置环境变量 {env}，或在提示时输入", code="MAIL_URL")
    if not u.hostname:
        raise MailError(f"{name} 地址“{url}”缺少服务器名，应为 {example}", code="MAIL_URL")
    return u, port, scheme


def parse_imap_url(url: str) -> ImapTarget:
    """imaps://user@host[:port]/FOLDER -> ImapTarget; a clear error for anything else."""
    example = "imaps://用户名@服务器[:端口]/文件夹"
    u, port, scheme = split_mail_url(url, "imap", IMAP_PASSWORD_ENV, example)
    if not u.username:
        raise MailError(f"IMAP 地址“{url}”缺少用户名，应为 {example}", code="MAIL_URL")
    folder = unquote(u.path.lstrip("/")) or "INBOX"
    return ImapTarget("ssl" if scheme == "imaps" else "starttls", unquote(u.username), u.hostname,
                      port or (993 if scheme == "imaps" else 143), folder)


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3): 收件箱 -> &ZTZO9ts-."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            b64 = base64.b64encode("".join(buf).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as e:
        raise MailError(f"无法使用证书文件 {ca_file}：{e}", code="MAIL_TLS", path=ca_file) from None


def network_error(what: str, host: str, port: int, e: BaseException) -> MailError:
    """A socket/TLS failure as one Chinese sentence that says what to check."""
    if isinstance(e, ssl.SSLCertVerificationError):
        why = "服务器证书无法验证（如为单位内部证书，请用 --ca-file 指定 CA 证书）"
    elif isinstance(e, ssl.SSLError):
        why = f"TLS 加密连接失败（{e.reason or e}）；端口是否对应加密方式？"
    elif isinstance(e, socket.gaierror):
        why = "找不到该服务器（域名无法解析）"
    elif isinstance(e, ConnectionRefusedError):
        why = "连接被拒绝（服务器未运行或端口不对）"
    elif isinstance(e, (TimeoutError, socket.timeout)):
        why = f"连接超时（{TIMEOUT:.0f} 秒无响应）"
    else:
        why = f"{type(e).__name__}：{e}"
    return MailError(f"无法连接{what} {host}:{port}：{why}", code="MAIL_CONNECT")


def _imap_connect(t: ImapTarget, allow_plain: bool, ca_file: str | None) -> imaplib.IMAP4:
    ctx = ssl_context(ca_file)
    try:
        if t.tls == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(t.host, t.port, ssl_context=ctx, timeout=TIMEOUT)
        else:
            conn = imaplib.IMAP4(t.host, t.port, timeout=TIMEOUT)
            if "STARTTLS" in conn.capabilities:
                conn.starttls(ssl_context=ctx)
            elif not allow_plain:
                conn.shutdown()
                raise MailError(f"IMAP 服务器 {t.host}:{t.port} 不支持加密（STARTTLS）；请改用 imaps://，"
                                f"或确认在可信的本机网络上并加 --allow-plain", code="MAIL_TLS")
    except MailError:
        raise
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as e:
        raise network_error("IMAP 服务器", t.host, t.port, e) from None
    return conn


_FETCH_META = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)|INTERNALDATE \"([^\"]+)\"")


def _meta(resp: bytes) -> dict[str, object]:
    out: dict[str, object] = {}
    for m in _FETCH_META.finditer(resp):
        if m.group(1):
            out["uid"] = int(m.group(1))
        elif m.group(2):
            out["size"] = int(m.group(2))
        elif m.group(3):
            try:
                out["date"] = to_beijing(datetime.strptime(m.group(3).decode(), "%d-%b-%Y %H:%M:%S %z"))
            except ValueError:
                pass
    return out


def iter_imap(url: str, seen: Seen, *, password: Callable[[], str] | None = None,
              allow_plain: bool = False, ca_file: str | None = None) -> Iterator[Incoming]:
    t = parse_imap_url(url)
    secret = os.environ.get(IMAP_PASSWORD_ENV)
    if secret is None:
        if password is None:
            raise MailError(f"需要 IMAP 密码：请设置环境变量 {IMAP_PASSWORD_ENV}", code="MAIL_AUTH")
        secret = password()
    conn = _imap_connect(t, allow_plain, ca_file)
    try:
        try:
            conn.login(t.user, secret)
        except imaplib.IMAP4.error as e:
            raise MailError(f"IMAP 登录失败（{t.user}@{t.host}）：用户名或密码不正确，"
                            f"或服务器要求使用客户端授权码（{_text(e)}）", code="MAIL_AUTH") from None
        typ, data = conn.select(_quote(imap_utf7(t.folder)), readonly=True)
        if typ != "OK":
            raise MailError(f"IMAP 邮箱中没有文件夹“{t.folder}”（{_text(data)}）", code="MAIL_FOLDER")
        # (UIDVALIDITY, UID) names one message whose content never changes: a label
        # with both lets a later run skip it without fetching it again
        typ, data = conn.response("UIDVALIDITY")
        validity = data[0].decode("ascii", "replace").strip() if typ == "UIDVALIDITY" and data and data[0] else ""
        typ, data = conn.uid("SEARCH", None, "ALL")
        uids = [int(x) for x in (data[0] or b"").split()] if typ == "OK" and data else []
        for i in range(0, len(uids), 200):
            chunk = ",".join(str(u) for u in uids[i:i + 200])
            typ, data = conn.uid("FETCH", chunk, "(UID RFC822.SIZE INTERNALDATE)")
            if typ != "OK":
                raise MailError(f"IMAP 服务器拒绝读取邮件列表：{_text(data)}", code="MAIL_IMAP")
            for item in data:
                if not isinstance(item, (bytes, tuple)):
                    continue
                meta = _meta(item[0] if isinstance(item, tuple) else item)
                if "uid" not in meta:
                    continue
                uid, size = int(meta["uid"]), int(meta.get("size", 0))
                label = f"{t.label()};UIDVALIDITY={validity};UID={uid}" if validity else f"{t.label()};UID={uid}"
                if validity and seen(label):
                    continue
                arrived = meta.get("date")
                if size > MAX_MESSAGE:
                    yield Incoming(label, None, arrived, size, f"邮件过大（{size // (1 << 20)} MB），未下载")
                    continue
                typ, body = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((x[1] for x in body or [] if isinstance(x, tuple)), None) if typ == "OK" else None
                if raw is None:
                    yield Incoming(label, None, arrived, size, "服务器没有返回邮件内容")
                    continue
                yield Incoming(label, raw, arrived, len(raw))
    except (OSError, imaplib.IMAP4.abort) as e:
        raise network_error("IMAP 服务器", t.host, t.port, e) from None
    except imaplib.IMAP4.error as e:
        raise MailError(f"IMAP 服务器 {t.host} 出错：{_text(e)}", code="MAIL_IMAP") from None
    finally:
        try:
            conn.logout()
        except Exception:
            pass


def _text(x: object) -> str:
    if isinstance(x, BaseException):
        x = x.args[0] if x.args else str(x)
    if isinstance(x, (list, tuple)):
        x = b" ".join(i if isinstance(i, bytes) else str(i).encode() for i in x)
    if isinstance(x, bytes):
        x = x.decode("utf-8", "replace")
    return str(x)
