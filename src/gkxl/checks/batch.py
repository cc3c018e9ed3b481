"""What a check keeps of a file when thousands are read: identity, verdict and packed values.

`check_many` reads and checks files on all cores; the collection's ledger and the roll-up both use it.
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass, field
from typing import Iterable

from . import CheckResult, PriorIndex, check_file
from ..form import CellKey, Form, load_form
from ..form.compute import Number, clean_number


@dataclass(slots=True)
class Brief:
    """What a roll-up keeps of one checked file: identity, verdict and the input
    values as a packed array (a roll-up of 100,000 returns fits in memory)."""

    path: str
    status: str
    error: str = ""
    error_code: str = ""
    sha256: str = ""
    agency_code: str = ""
    agency_name: str = ""
    region: str = ""
    year: int | None = None
    kind: str = ""
    created_at: str = ""
    modified: str = ""
    members: str = ""
    form_id: str = ""
    form_version: str = ""
    n_errors: int = 0
    n_warnings: int = 0
    first_errors: tuple = ()
    values: array = field(default_factory=lambda: array("d"))
    moved: dict | None = None  # cells read from other places than the form's (label-matched copies)

    @property
    def is_rollup(self) -> bool:
        return self.kind == "rollup"

    @classmethod
    def of(cls, res: CheckResult) -> "Brief":
        r = res.ret
        if r is None:
            return cls(res.path, res.status, res.error, res.error_code)
        f = r.form
        std = f.plan.sources
        moved = None if r.sources == std else ({k: v for k, v in r.sources.items() if std.get(k) != v} or None)
        return cls(res.path, res.status, "", "", r.sha256, r.agency_code, r.agency_name,
                   r.identity.get("region", ""), r.year, r.kind, r.identity.get("created_at", ""), r.modified,
                   r.identity.get("rollup_members", ""), f.id, f.version, len(res.errors), len(res.warnings),
                   tuple(x.message for x in res.errors[:3]),
                   array("d", [float(r.values.get(k) or 0) for k in f.input_cells]), moved)

    def value_map(self, form: Form) -> dict[CellKey, Number]:
        return {k: clean_number(v) for k, v in zip(form.input_cells, self.values)}

    def source(self, form: Form, key: CellKey) -> str:
        if self.moved and key in self.moved:
            s, c = self.moved[key]
        else:
            s, c = form.plan.sources[key]
        return f"{s}!{c}"


_WORKER: dict = {}


def _init_worker(form_path: str | None, priors, year: int | None) -> None:
    """Per-process state, sent once per worker rather than once per file."""
    _WORKER["form"] = load_form(form_path) if form_path else None
    _WORKER["prior"] = PriorIndex.of_values(priors) if priors is not None else None
    _WORKER["year"] = year


def _check_job(path: str) -> Brief:
    res = check_file(path, _WORKER["prior"], form=_WORKER["form"], expect_year=_WORKER["year"])
    return Brief.of(res)


def check_many(paths: Iterable[str | os.PathLike], *, prior: PriorIndex | None = None, form: Form | None = None,
               year: int | None = None, jobs: int | None = None, progress=None) -> list[Brief]:
    """Read and check files on all cores: one brief per path given, in the order given (no folder scan here:
    callers pair the briefs with their own records)."""
    from ..files.parallel import run_jobs  # (multiprocessing is imported only when many files are checked)

    files = [str(p) for p in paths]
    priors = prior.values() if prior is not None else None
    results = run_jobs(_check_job, files, jobs=jobs, progress=progress, min_parallel=64,
                       initializer=_init_worker, initargs=(form.path if form else None, priors, year))
    return results


def _full_job(args: tuple) -> CheckResult:
    """A whole CheckResult from a worker: its form travels as (id, version, path), not as an object."""
    path, agency = args
    res = check_file(path, _WORKER["prior"], form=_WORKER["form"], expect_agency=agency, expect_year=_WORKER["year"])
    if res.ret is not None:
        f = res.ret.form
        res.ret.form = (f.id, f.version, f.path)  # type: ignore[assignment]
    return res


def check_files(paths: Iterable[str | os.PathLike], *, prior: PriorIndex | None = None, form: Form | None = None,
                expect_agency: str | None = None, expect_year: int | None = None, jobs: int | None = None,
                progress=None) -> list[CheckResult]:
    """Every file's full result (findings and all), on all cores for many files; in the order given."""
    from ..form import load_form_file

    files = [(str(p), expect_agency) for p in paths]
    if len(files) < 32 or jobs == 1:  # in this process, without importing multiprocessing (a quick `check ONE`)
        results = []
        for path, agency in files:
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
