"""Where form files live and loading them by id, version or path (cached)."""

from __future__ import annotations

import os
import time
import tomllib
from pathlib import Path

from ..errors import FormError, os_reason
from .model import Form
from .parse import parse_form

def forms_dir() -> Path:
    """Where form files live, so one name (e.g. "gb2021") works from a wheel, a checkout or any cwd.

    First existing folder of: $GKXL_FORMS_DIR; the copy shipped in the installed package
    (gkxl/workbook_templates/, mapped from the repo's top-level folder by pyproject.toml);
    the repo's top-level workbook_templates/ (source tree, editable install); ./workbook_templates.
    """
    env = os.environ.get("GKXL_FORMS_DIR")
    if env:
        return Path(env)
    for cand in _FORM_DIRS + (os.path.join(os.getcwd(), "workbook_templates"),):
        if os.path.isdir(cand):
            return Path(cand)
    return Path(_FORM_DIRS[0])


_HERE = Path(__file__).resolve()
# Package data first: an installed wheel has no repo around it. In a source tree or an
# editable install that folder does not exist and the repo's own folder is used — the path,
# not importlib.resources, because setuptools' editable finder cannot import the mapped
# data package (it has no __init__.py) and a PYTHONPATH=src checkout must see its own files.
# .parent chains rather than .parents[2]: they cannot raise when gkxl sits near "/".
_PKG = _HERE.parent.parent  # src/gkxl (or site-packages/gkxl): this file is gkxl/form/files.py
_FORM_DIRS = (str(_PKG / "workbook_templates"),
              str(_PKG.parent.parent / "workbook_templates"))


_CACHE: dict[str, Form] = {}


def load_form_file(path: str | os.PathLike) -> Form:
    alias = str(path) if os.path.isabs(path) else None  # an absolute spelling seen before needs no resolve
    if alias in _CACHE:
        return _CACHE[alias]
    p = Path(path)
    key = str(p.resolve())
    if key not in _CACHE:
        try:
            raw = p.read_bytes()
        except OSError as e:
            raise FormError(f"无法读取表单文件 {p}：{os_reason(e)}", code="FORM_IO", path=str(p)) from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise FormError(f"表单文件 {p} 不是 UTF-8 编码", code="FORM_SYNTAX", path=str(p)) from None
        except tomllib.TOMLDecodeError as e:
            raise FormError(f"表单文件 {p} 格式错误：{e}", code="FORM_SYNTAX", path=str(p)) from None
        _CACHE[key] = parse_form(data, str(p))
    if alias:
        _CACHE[alias] = _CACHE[key]
    return _CACHE[key]


_AVAILABLE: dict[tuple[str, float], dict[tuple[str, str], Path]] = {}
_BY_ID: dict[tuple[str, str | None], Form] = {}  # load_form by id, valid as long as the scan above
_LAST_SCAN: list = [0.0, None]  # (monotonic time, result): the folder is looked at once a second at most


def available_forms() -> dict[tuple[str, str], Path]:
    """(form id, version) -> file, for every form file in forms_dir() (cached per folder state)."""
    now = time.monotonic()
    where = (os.environ.get("GKXL_FORMS_DIR"), os.getcwd())
    if _LAST_SCAN[1] is not None and now - _LAST_SCAN[0] < 1.0 and _LAST_SCAN[2:] == [where]:
        return _LAST_SCAN[1]
    result = _available()
    _LAST_SCAN[:] = [now, result, where]
    _BY_ID.clear()
    return result


def _available() -> dict[tuple[str, str], Path]:
    d = forms_dir()
    try:
        key = (str(d), max([d.stat().st_mtime] + [p.stat().st_mtime for p in d.glob("*.toml")]))
    except OSError:
        key = (str(d), 0.0)
    if key not in _AVAILABLE:
        _AVAILABLE[key] = _scan_forms(d)
    return _AVAILABLE[key]


def _scan_forms(d: Path) -> dict[tuple[str, str], Path]:
    out: dict[tuple[str, str], Path] = {}
    if d.is_dir():
        for p in sorted(d.glob("*.toml")):
            try:
                with p.open("rb") as fh:
                    head = tomllib.load(fh).get("form", {})
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if isinstance(head.get("id"), str):
                out[(head["id"], str(head.get("version", "")))] = p
    return out


DEFAULT_FORM = "gb2021"


def load_form(form: str | os.PathLike | None = None, version: str | None = None) -> Form:
    """Load a form by id (newest version unless `version`), or by file path."""
    if isinstance(form, Form):
        return form
    name = str(form or DEFAULT_FORM)
    if name.endswith(".toml") or os.sep in name:
        return load_form_file(name)
    forms = available_forms()
    hit = _BY_ID.get((name, version))
    if hit is not None:
        return hit
    matches = sorted((v, p) for (fid, v), p in forms.items() if fid == name and (version is None or v == version))
    if not matches:
        known = "、".join(sorted({f"{fid}（{v}）" for fid, v in forms})) or "无"
        what = f"“{name}”" + (f" 版本 {version}" if version else "")
        raise FormError(f"未知的表单{what}；{forms_dir()} 中可用的表单：{known}", code="FORM_UNKNOWN")
    _BY_ID[(name, version)] = form_ = load_form_file(matches[-1][1])
    return form_
