"""The few exception classes gkxl raises, each with a stable code.

Every message is Chinese and names the file (and cell, where there is one),
because it is shown as-is to a coordinator who cannot read a traceback.
"""

from __future__ import annotations


class GkxlError(Exception):
    """Base class: `code` is stable and machine-readable, `str()` is for people."""

    code = "GKXL"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None,
                 cell: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.path = path
        self.cell = cell

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.args[0]


class FormError(GkxlError):
    """The form definition file is missing, malformed or inconsistent."""

    code = "FORM"


class RosterError(GkxlError):
    """The roster file cannot be used (missing column, duplicate code, cycle...)."""

    code = "ROSTER"


class ReadError(GkxlError):
    """A return could not be read at all (corrupt, encrypted, not a workbook...)."""

    code = "READ"


class OutputError(GkxlError):
    """An output could not be written."""

    code = "OUTPUT"


class MailError(GkxlError):
    """A mail source or server could not be used."""

    code = "MAIL"


_OS_REASONS = {
    "ENOENT": "文件或目录不存在",
    "EACCES": "没有访问权限",
    "EPERM": "没有操作权限",
    "EISDIR": "这是一个目录，不是文件",
    "ENOTDIR": "路径中的某一级不是目录",
    "ENOSPC": "磁盘空间不足",
    "EROFS": "所在位置是只读的",
    "EEXIST": "已存在同名文件",
    "ENAMETOOLONG": "文件名太长",
    "EMFILE": "同时打开的文件太多",
    "EIO": "磁盘读写错误",
}


def os_reason(e: OSError) -> str:
    """An OSError as a short Chinese reason (the English text only for rare errors)."""
    import errno

    name = errno.errorcode.get(e.errno or -1, "")
    return _OS_REASONS.get(name) or (e.strerror or str(e))
