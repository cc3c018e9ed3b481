"""The built wheel carries the form files (issue 12).

The forms live in the repo's top-level workbook_templates/, so a wheel that forgets them
installs fine and then fails on the first `load_form("gb2021")`. These tests build a wheel
of the current tree, install it into a fresh venv and use it far from the repo.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FORMS = sorted(p.name for p in (ROOT / "workbook_templates").glob("*.toml"))


def _version(dist: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in re.findall(r"\d+", metadata.version(dist))[:2])
    except metadata.PackageNotFoundError:
        return ()


def _can_build_here() -> bool:
    """Whether this venv's setuptools can build the wheel itself (offline, no isolated env)."""
    st = _version("setuptools")
    return st >= (70, 1) or (st >= (68,) and bool(_version("wheel")))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    # Build from a copy: an in-tree build writes build/ and *.egg-info into the shared checkout.
    tree = base / "tree"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "workbook_templates"):
        shutil.copytree(ROOT / name, tree / name, ignore=skip)
    for name in ("pyproject.toml", "README.md", "MANIFEST.in", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, tree / name)
    out = base / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check", "-w", str(out)]
    if _can_build_here():
        cmd.append("--no-build-isolation")
    r = subprocess.run([*cmd, str(tree)], capture_output=True, text=True, timeout=300)
    if r.returncode and "--no-build-isolation" not in cmd and "setuptools" in r.stderr \
            and ("No matching distribution" in r.stderr or "Could not find a version" in r.stderr):
        pytest.skip("无法获取构建所需的 setuptools（离线且本环境的 setuptools 过旧）")
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = out.glob("gkxl-*.whl")
    return whl


def test_wheel_contains_forms_and_all_modules(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert FORMS and "gb2021.toml" in FORMS
    for form in FORMS:
        assert f"gkxl/workbook_templates/{form}" in names
    assert not any(n.startswith("workbook_templates/") for n in names)  # no stray top-level package
    # pyproject.toml lists the packages by hand: a new subpackage left off would be missing here
    src = ROOT / "src"
    modules = {p.relative_to(src).as_posix() for p in (src / "gkxl").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules - names == set()
    assert "gkxl/py.typed" in names


def _fresh_venv(base: Path, wheel: Path) -> Path:
    """A plain venv holding only the wheel; the project venv's site-packages serve its deps."""
    env_dir = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # Appended after the venv's own site-packages, so the wheel's gkxl wins over any other copy.
    (site / "_gkxl_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--disable-pip-version-check", "--no-index", str(wheel)], check=True, timeout=300)
    return py


def test_installed_wheel_works_away_from_repo(wheel: Path, tmp_path: Path) -> None:
    py = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "work"  # no workbook_templates/ here, and not inside the repo
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("GKXL_FORMS_DIR", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(py), *args], cwd=work, env=env, capture_output=True, text=True, timeout=120)

    r = run("-c", "import json, gkxl, gkxl.form as f; "
                  "print(json.dumps({'file': gkxl.__file__, 'dir': str(f.forms_dir()), 'id': f.load_form('gb2021').id}))")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    venv = str(py.parent.parent.resolve())
    assert info["file"].startswith(venv), info  # the installed wheel, not the checkout
    assert info["dir"].startswith(venv) and Path(info["dir"]).parts[-2:] == ("gkxl", "workbook_templates"), info
    assert info["id"] == "gb2021"

    r = run("-m", "gkxl", "template", "out.xlsx", "--year", "2025")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (work / "out.xlsx").is_file()

    r = run("-m", "gkxl", "check", "out.xlsx", "--json")
    assert "FORM_UNKNOWN" not in r.stdout + r.stderr
    assert r.returncode == 1, r.stdout + r.stderr  # a blank template fails its checks; 3 would be a usage error
    (result,) = json.loads(r.stdout)
    assert result["form"].startswith("gb2021") and result["status"] == "fail"
