"""Real mail servers on loopback for the tests: aiosmtpd (SMTP) and dovecot (IMAP).

Nothing here listens anywhere but 127.0.0.1, and every server is stopped by
the test that started it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(d: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (subjectAltName IP), made with openssl."""
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def wait_port(port: int, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


# ---------------------------------------------------------------- SMTP

class Inbox:
    """An aiosmtpd handler that keeps every message; it can refuse the Nth one."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse_at: int | None = None  # 1-based index of the DATA to refuse with 451
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.refuse_at is not None and self.attempts == self.refuse_at:
            return "451 4.7.1 Too many messages, slow down"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


@contextlib.contextmanager
def smtp_server(*, ssl_context: ssl.SSLContext | None = None, users: dict[str, str] | None = None
                ) -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox = Inbox()
    kw = {}
    if users is not None:
        def auth(server, session, envelope, mechanism, data):
            login = data.login.decode() if isinstance(data.login, bytes) else data.login
            pw = data.password.decode() if isinstance(data.password, bytes) else data.password
            return AuthResult(success=users.get(login) == pw, handled=False)
        kw = {"authenticator": auth, "auth_required": True, "auth_require_tls": False}
    port = free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=ssl_context, **kw)
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


# ---------------------------------------------------------------- IMAP (dovecot)

DOVECOT_CONF = """\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{d}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@contextlib.contextmanager
def dovecot_server(user: str = "clerk", password: str = "s3cret") -> Iterator[dict]:
    """dovecot as a child process with its own config: plain IMAP and IMAPS on loopback.

    As root, dovecot will not run its login and mail processes as root, so
    they run as the packaged dovecot/dovenull users and the mail home is made
    theirs (in a world-traversable temp dir). As any other user it all runs as
    that user."""
    d = Path(tempfile.mkdtemp(prefix="gkxl-dovecot-"))
    proc = None
    try:
        os.chmod(d, 0o755)
        for sub in ("run", "state", "home"):
            (d / sub).mkdir()
        cert, _key = self_signed_cert(d)
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
            internal_group = "dovecot"
            os.chown(d / "home", mail_user.pw_uid, mail_user.pw_gid)
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
        else:
            me = pwd.getpwuid(os.geteuid())
            internal = login = me.pw_name
            import grp
            internal_group = grp.getgrgid(os.getegid()).gr_name
            uid, gid = os.geteuid(), os.getegid()
        imap_port, imaps_port = free_port(), free_port()
        (d / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
        (d / "dovecot.conf").write_text(DOVECOT_CONF.format(
            d=d, internal=internal, internal_group=internal_group, login=login, uid=uid, gid=gid,
            imap_port=imap_port, imaps_port=imaps_port))
        proc = subprocess.Popen([DOVECOT, "-F", "-c", str(d / "dovecot.conf")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_port(imap_port)
            wait_port(imaps_port)
        except RuntimeError:
            proc.kill()
            err = proc.communicate(timeout=5)[1].decode(errors="replace")
            log = (d / "dovecot.log").read_text(errors="replace") if (d / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot did not start: {err}\n{log}")
        yield {"imap_port": imap_port, "imaps_port": imaps_port, "user": user, "password": password,
               "cert": cert, "dir": d}
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(d, ignore_errors=True)
