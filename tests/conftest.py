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


# The fast tier (`-m "not slow"`, under 30 s) leaves out what drives real external programs
# (LibreOffice, dovecot), clones the repo, or runs at scale; the full suite runs everything.
_SLOW_NAMES = ("test_demo_from_fresh_clone", "test_round_trip_random_returns", "test_hundred_thousand_rows",
               "test_zipread.py::test_corpus_reads_the_same", "test_docx_every_cell_reads_back",
               "test_failing_return_is_refused_unless_forced", "test_cli_report_formats_and_bad_suffix",
               "test_round_trip_each_format[docx]", "test_resume_after_kill",
               "test_single_cell_change_breaking_a_sum_is_caught", "test_glued_text_never_a_wrong_number",
               "test_two_commands_on_one_folder_never_mix", "test_real_reports_are_clean",
               "test_samples_scan_fast_and_equal", "test_audit_command_folder", "test_random_valid_fillings_pass",
               "test_two_levels_equal_one", "test_folder_lock_waits_for_the_other_command")
_SLOW_FIXTURES = ("lo_convert", "collected")  # a real LibreOffice; the collect corpus with its 50 MB attachment
_SLOW_MODULES = ("test_libreoffice.py", "test_mail_imap.py", "test_ledger_scenario.py", "test_import_real.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        nodeid = item.nodeid
        if (item.get_closest_marker("libreoffice") is not None
                or any(f in getattr(item, "fixturenames", ()) for f in _SLOW_FIXTURES)
                or any(m in nodeid for m in _SLOW_MODULES) or any(n in nodeid for n in _SLOW_NAMES)):
            item.add_marker(pytest.mark.slow)
