"""SMTP: the address given on the command line, and a connection that is encrypted unless told otherwise."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from ..errors import MailError
from .sources import TIMEOUT, network_error, split_mail_url, ssl_context

SMTP_PASSWORD_ENV = "GKXL_SMTP_PASSWORD"


@dataclass
class SmtpTarget:
    tls: str  # "ssl" | "starttls"
    user: str
    host: str
    port: int


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtps://user@host[:port] (or smtp:// with STARTTLS) -> SmtpTarget."""
    u, port, scheme = split_mail_url(url, "smtp", SMTP_PASSWORD_ENV, "smtps://用户名@服务器:端口")
    return SmtpTarget("ssl" if scheme == "smtps" else "starttls", unquote(u.username or ""), u.hostname,
                      port or (465 if scheme == "smtps" else 587))


def connect(t: SmtpTarget, *, allow_plain: bool, ca_file: str | None,
            password: Callable[[], str] | None) -> smtplib.SMTP:
    """An SMTP connection: TLS from the start (smtps) or STARTTLS; plain only when allowed; logged in
    with the password from the environment or asked for."""
    ctx = ssl_context(ca_file)
    try:
        if t.tls == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=TIMEOUT, context=ctx)
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=TIMEOUT)
            conn.ehlo()
            if conn.has_extn("starttls"):
                conn.starttls(context=ctx)
                conn.ehlo()
            elif not allow_plain:
                conn.close()
                raise MailError(f"SMTP 服务器 {t.host}:{t.port} 不支持加密（STARTTLS）；请改用 smtps://，"
                                f"或确认在可信的本机网络上并加 --allow-plain", code="MAIL_TLS")
    except MailError:
        raise
    except smtplib.SMTPException as e:
        raise MailError(f"SMTP 服务器 {t.host}:{t.port} 拒绝连接：{e}", code="MAIL_CONNECT") from None
    except (OSError, ssl.SSLError) as e:
        raise network_error("SMTP 服务器", t.host, t.port, e) from None
    if t.user:
        secret = os.environ.get(SMTP_PASSWORD_ENV)
        if secret is None:
            if password is None:
                conn.close()
                raise MailError(f"需要 SMTP 密码：请设置环境变量 {SMTP_PASSWORD_ENV}", code="MAIL_AUTH")
            secret = password()
        try:
            conn.login(t.user, secret)
        except smtplib.SMTPAuthenticationError:
            conn.close()
            raise MailError(f"SMTP 登录失败（{t.user}@{t.host}）：用户名或密码不正确，"
                            f"或服务器要求使用客户端授权码", code="MAIL_AUTH") from None
        except smtplib.SMTPNotSupportedError:
            conn.close()
            raise MailError(f"SMTP 服务器 {t.host} 不支持登录（AUTH）", code="MAIL_AUTH") from None
        except (smtplib.SMTPException, OSError) as e:
            conn.close()
            raise MailError(f"SMTP 登录失败（{t.user}@{t.host}）：{e}", code="MAIL_AUTH") from None
    return conn
