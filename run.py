#!/usr/bin/env python3
"""One entry point for a fresh machine: `python3 run.py demo` or `python3 run.py test`.

It needs nothing but Python 3.11+: it makes `.venv/`, installs gkxl and its
test tools into it, installs LibreOffice (and the other system programs the
tests drive) with apt-get when they are missing and we may, then runs the job.
Anything after the command is passed on (`python3 run.py test -k reader`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".gkxl-installed"
# Debian packages the tests drive for real: the spreadsheet program, CJK fonts
# to render Chinese, PDF tools to count pages, an IMAP server for mail tests.
# Each is installed only when the file or program that proves it is missing.
# Writer renders the published report (.docx) to PDF. Gnumeric's ssconvert recalculates templates a
# second way; python3-uno lets a test type into LibreOffice as a clerk does. Ghostscript and qpdf
# re-save a real PDF as sites' compressors and "fast web view" do.
APT_PROGRAMS = {"soffice": "libreoffice-calc-nogui", "/usr/lib/libreoffice/program/libswlo.so": "libreoffice-writer-nogui",
                "pdfinfo": "poppler-utils", "/usr/sbin/dovecot": "dovecot-imapd", "fc-list": "fonts-noto-cjk",
                "ssconvert": "gnumeric", "/usr/lib/python3/dist-packages/uno.py": "python3-uno",
                "gs": "ghostscript", "qpdf": "qpdf"}


def log(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def sh(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("gkxl 需要 Python 3.11 或更高版本")
    if not PY.exists():
        log("创建虚拟环境 .venv")
        sh([sys.executable, "-m", "venv", str(VENV)])
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    log(f"安装 gkxl[{extras}] 及其依赖")
    sh([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", f".[{extras}]"], cwd=ROOT)
    STAMP.write_text(want)


def _missing_programs() -> list[str]:
    missing = []
    for prog, pkg in APT_PROGRAMS.items():
        found = Path(prog).exists() if prog.startswith("/") else shutil.which(prog)
        if prog == "fc-list" and found:
            out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
            found = bool(out.strip())
        if not found and pkg not in missing:
            missing.append(pkg)
    return missing


def ensure_system_packages() -> None:
    missing = _missing_programs()
    if not missing:
        return
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        log(f"缺少 {', '.join(missing)}，且无法自动安装（需要 root 和 apt-get）；依赖它们的测试将被跳过")
        return
    log(f"安装系统软件包：{' '.join(missing)}（首次运行需要几分钟）")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh(["apt-get", "update", "-qq"], env=env)
    sh(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env,
       stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        print("用法：python3 run.py demo [--out 目录]   运行示例：模板、校验、反馈、汇总\n"
              "      python3 run.py test [pytest 参数]   运行全部测试\n"
              "      python3 run.py gkxl ...            在虚拟环境中运行任意 gkxl 命令\n"
              "      python3 run.py bench [参数]         运行性能基准（不在 CI 中运行）\n"
              "      python3 run.py bench-ledger [参数]  台账规模基准：10 万单位的 gkxl status、重复 add")
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "test":
        ensure_venv("test")
        ensure_system_packages()
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT)
    if cmd == "demo":
        ensure_venv("test")
        return subprocess.call([str(BIN / "gkxl"), "demo", *rest], cwd=ROOT)
    if cmd == "gkxl":
        ensure_venv("test")
        return subprocess.call([str(BIN / "gkxl"), *rest], cwd=ROOT)
    if cmd == "bench":
        ensure_venv("test")
        return subprocess.call([str(PY), str(ROOT / "benchmarks" / "bench.py"), *rest], cwd=ROOT)
    if cmd == "bench-ledger":
        ensure_venv("test")
        return subprocess.call([str(PY), str(ROOT / "benchmarks" / "ledger_bench.py"), *rest], cwd=ROOT)
    print(f"未知的命令：{cmd}（可用：demo、test、gkxl、bench）", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
