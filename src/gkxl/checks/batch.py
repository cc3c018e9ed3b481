"""Checking many files on all cores.

`check_many` gives each file's result packed (identity, verdict, counts, input values: what the
collection's ledger and the roll-up keep of 100,000 files); `check_files` gives full results
(every finding) for `gkxl check`.
"""

from __future__ import annotations

import os
from typing import Iterable

from . import CheckResult, PriorIndex, check_file
from ..form import Form, load_form


Brief = CheckResult  # the packed size of a result had a type of its own once; it is now CheckResult.packed()


_WORKER: dict = {}


def _init_worker(form_path: str | None, priors, year: int | None) -> None:
    """Per-process state, sent once per worker rather than once per file."""
    _WORKER["form"] = load_form(form_path) if form_path else None
    _WORKER["prior"] = PriorIndex.of_values(priors) if priors is not None else None
    _WORKER["year"] = year


def _check_job(path: str) -> CheckResult:
    return check_file(path, _WORKER["prior"], form=_WORKER["form"], expect_year=_WORKER["year"]).packed()


def check_many(paths: Iterable[str | os.PathLike], *, prior: PriorIndex | None = None, form: Form | None = None,
               year: int | None = None, jobs: int | None = None, progress=None) -> list[CheckResult]:
    """Read and check files on all cores: one packed result per path given, in the order given (no folder scan here:
    callers pair the results with their own records)."""
    from ..files.parallel import run_jobs  # (multiprocessing is imported only when many files are checked)

    files = [str(p) for p in paths]
    priors = prior.values() if prior is not None else None
    results = run_jobs(_check_job, files, jobs=jobs, progress=progress, min_parallel=64,
                       initializer=_init_worker, initargs=(form.path if form else None, priors, year))
    return results


def _full_job(args: tuple) -> CheckResult:
    """A whole CheckResult from a worker: its form travels as (id, version, path), not as an object;
    without its Return when the caller does not need it (the findings and identity are all a report prints)."""
    path, agency, keep_return = args
    res = check_file(path, _WORKER["prior"], form=_WORKER["form"], expect_agency=agency, expect_year=_WORKER["year"])
    if not keep_return:
        res.ret = None
    elif res.ret is not None:
        f = res.ret.form
        res.ret.form = (f.id, f.version, f.path)  # type: ignore[assignment]
    return res


def check_files(paths: Iterable[str | os.PathLike], *, prior: PriorIndex | None = None, form: Form | None = None,
                expect_agency: str | None = None, expect_year: int | None = None, jobs: int | None = None,
                progress=None, keep_return: bool = True) -> list[CheckResult]:
    """Every file's full result (findings and all), on all cores for many files; in the order given.
    `keep_return=False` leaves out the Return read (identity, verdict and findings stay): what crosses
    back from the workers is then a tenth of the size, and `gkxl check DIR` scales with the cores."""
    from ..form import load_form_file

    files = [(str(p), expect_agency, keep_return) for p in paths]
    if len(files) < 32 or jobs == 1:  # in this process, without importing multiprocessing (a quick `check ONE`)
        results = []
        for path, agency, _ in files:
            results.append(check_file(path, prior, form=form, expect_agency=agency, expect_year=expect_year))
            if progress:
                progress()
        return results
    from ..files.parallel import run_jobs
    priors = prior.values() if prior is not None else None
    results = run_jobs(_full_job, files, jobs=jobs, progress=progress, min_parallel=32,
                       initializer=_init_worker, initargs=(form.path if form else None, priors, expect_year))
    forms: dict[tuple, Form] = {}
    for r in results:
        if r.ret is not None and isinstance(r.ret.form, tuple):
            fid, version, fpath = r.ret.form
            if (fid, version) not in forms:
                forms[(fid, version)] = (form if form is not None and (form.id, form.version) == (fid, version)
                                         else load_form(fid, version) if not fpath else load_form_file(fpath))
            r.ret.form = forms[(fid, version)]
    return results
