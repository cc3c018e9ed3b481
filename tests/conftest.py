"""Shared fixtures: the form, a LibreOffice runner, CLI runner."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORMS = Path(__file__).resolve().parent / "forms"


@pytest.fixture(scope="session")
def form():
    from gkxl.form import load_form
    return load_form("gb2021")


@pytest.fixture(scope="session")
def mini_form():
    from gkxl.form import load_form
    return load_form(str(FORMS / "mini.toml"))


needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")


@pytest.fixture
def lo_convert(tmp_path):
    """Recalculate (or render) a workbook in real LibreOffice."""
    from gkxl.libreoffice import convert

    def run(src, to="xlsx"):
        return convert(src, tmp_path / f"lo-{to}", to)
    return run


@pytest.fixture
def cli(capsys):
    """Run the gkxl CLI in-process: returns (exit code, stdout, stderr)."""
    from gkxl.cli import main

    def run(*args):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err
    return run
