"""Imports flow one way: each folder of src/gkxl imports only folders below it (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gkxl"
# lowest first; a unit may import only units earlier in this list (and itself)
LAYERS = ["errors", "findings", "form", "files", "roster", "workbook", "checks", "mail", "report", "collection",
          "rollup", "fake", "demo", "cli", "gkxl", "_compat", "__main__"]


def unit_imports() -> dict[str, set[tuple[str, str]]]:
    edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for p in SRC.rglob("*.py"):
        parts = list(p.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        base = parts if p.name == "__init__.py" else parts[:-1]
        unit = parts[1] if len(parts) > 1 else "gkxl"
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                b = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = b + (node.module.split(".") if node.module else [])
                to = target[1] if len(target) > 1 else "gkxl"
                if to != unit:
                    edges[unit].add((to, str(p.relative_to(SRC))))
    return edges


def test_every_import_goes_down():
    rank = {u: i for i, u in enumerate(LAYERS)}
    up = [(unit, to, where) for unit, tos in unit_imports().items() for to, where in tos
          if unit != "gkxl" and to != "gkxl" and rank[to] > rank[unit]]  # (gkxl itself: only __version__)
    assert not up, up


def test_every_unit_is_placed():
    units = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))} - {"__init__"}
    assert units <= set(LAYERS), units - set(LAYERS)
