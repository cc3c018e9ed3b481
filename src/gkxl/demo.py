"""The whole loop on the bundled samples, as a coordinator would run it:
templates out, returns checked against last year, feedback written, counties
rolled up, then the city from the county roll-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .aggregate import Rollup, aggregate
from .checks import PriorIndex, check_paths
from .errors import GkxlError
from .feedback import write_feedback
from .form import load_form
from .reader import iter_paths
from .report_text import format_result, format_summary, to_json
from .rollup_write import write_rollup
from .roster import load_roster
from .tabular import write_csv
from .template import atomic_write, write_templates


def samples_dir() -> Path:
    here = Path(__file__).resolve()
    for cand in (here.parents[2] / "samples", Path.cwd() / "samples"):
        if (cand / "roster.csv").exists():
            return cand
    raise GkxlError("找不到示例数据目录 samples/（应包含 roster.csv）；请在 gkxl 的代码目录中运行，或用 --samples 指定",
                    code="DEMO_SAMPLES")


@dataclass
class DemoResult:
    out: Path
    templates: list[Path] = field(default_factory=list)
    checked: int = 0
    passed: int = 0
    failed: int = 0
    unreadable: int = 0
    feedback: list[Path] = field(default_factory=list)
    county_rollups: dict[str, Path] = field(default_factory=dict)
    city: Rollup | None = None
    city_path: Path | None = None
    summary: str = ""


def run_demo(out: str | Path = "demo-out", samples: str | Path | None = None, year: int = 2025,
             jobs: int | None = None) -> DemoResult:
    src = Path(samples) if samples else samples_dir()
    out = Path(out)
    for sub in ("模板", "修改意见", "汇总"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    form = load_form()
    roster = load_roster(src / "roster.csv")
    res = DemoResult(out)
    prior = PriorIndex([src / str(year - 1)])
    priors = {code: dict(r.values) for code, r in prior.by_code.items()}
    depts = [a for a in roster if not a.is_rollup]
    res.templates = write_templates(depts, out / "模板", form, year=year, priors=priors, jobs=jobs)

    results = check_paths([src / str(year)], [src / str(year - 1)])
    res.checked = len(results)
    res.passed = sum(r.status == "pass" for r in results)
    res.failed = sum(r.status == "fail" for r in results)
    res.unreadable = sum(r.status == "unreadable" for r in results)
    report = "\n\n".join(format_result(r) for r in results) + "\n\n" + format_summary(results) + "\n"
    atomic_write(out / "检查报告.txt", report.encode("utf-8-sig"))
    atomic_write(out / "检查结果.json", to_json(results).encode("utf-8"))
    used: set[str] = set()
    for r in results:
        if r.status == "fail":
            book, txt = write_feedback(r, out / "修改意见", used=used)
            res.feedback.append(book or txt)

    returns = [src / str(year)]
    for county in [a for a in roster if a.is_rollup and a.parent]:
        roll = aggregate(returns, roster, region=county.code, year=year, prior=prior, jobs=jobs)
        res.county_rollups[county.code] = write_rollup(roll, out / "汇总" / f"{county.code}-{county.name}.xlsx")
    # the city: its own departments' returns plus the counties' roll-ups
    city = aggregate(returns + list(res.county_rollups.values()), roster, year=year, prior=prior, jobs=jobs)
    res.city = city
    res.city_path = write_rollup(city, out / "汇总" / f"{city.region.code}-{city.region.name}.xlsx")
    write_csv(city.tidy(), out / "汇总" / "长表.csv")
    missing = [s.agency for s in city.statuses if s.status == "未报送"]
    failing = [s.agency for s in city.statuses if s.status == "不通过"]
    lines = [
        f"示例运行完成（{src}，{year} 年度）：",
        f"1. 为 {len(res.templates)} 个单位生成了填报模板（已按上年报表预填并锁定“上年结转”）：{out / '模板'}",
        f"2. 检查了 {res.checked} 份报表（对照上年）：通过 {res.passed} 份，不通过 {res.failed} 份，"
        f"无法读取 {res.unreadable} 份。检查报告：{out / '检查报告.txt'}",
        f"3. 为不通过的报表生成了 {len(res.feedback)} 份带批注的修改意见：{out / '修改意见'}",
        f"4. 汇总了 {len(res.county_rollups)} 个县的汇总表，再由县汇总表和市直部门汇总出全市："
        f"{res.city_path}（共 {len(city.members)} 个单位的数据）",
        f"   未报送：{'、'.join(a.name for a in missing) or '无'}；有错误未汇总：{'、'.join(a.name for a in failing) or '无'}",
        f"   长表（可用 Excel 或 pandas 分析）：{out / '汇总' / '长表.csv'}",
        f"   {city.policy}",
    ]
    res.summary = "\n".join(lines)
    return res
