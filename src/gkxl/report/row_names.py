"""The form's rows by the names they are printed under: which rows a label (whole, cut short, with
or without its numbering, a list inside it written with 、 or a comma) may be, and whether some text
names a row at all. table_rows.py asks these questions of every row of a published table."""

from __future__ import annotations

import re

from ..form import Axis, Form, Table
from .labels import core, label_eq, loose, norm, row_key

_NUMBERED = re.compile(r"(?<!\d)\d{1,2}[.、．]")  # a row's own numbering ("2.") inside a line


class RowNames:
    """Every row of a form, indexed by the cores of its names."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.max_depth = max(len(r.labels) for t in form.tables.values() for r in t.rows)
        self.row_index = {(t.id, r.id): i for t in form.tables.values() for i, r in enumerate(t.rows)}
        self.all_rows = [(t, r) for t in form.tables.values() for r in t.rows]
        self.unlabelled = [(t, r) for t, r in self.all_rows if not r.labels]
        self.by_core: dict[str, list] = {}
        self.by_loose: dict[str, list] = {}
        for t, r in self.all_rows:
            if r.labels:
                for name in r.names:
                    c = core(name)
                    for k in {c, row_key(name)}:
                        self.by_core.setdefault(k, []).append((t, r))
                    self.by_loose.setdefault(loose(c), []).append((t, r))

    def leaf_rows(self, path: list[str]) -> list[tuple[Table, Axis, int]]:
        """Rows of the form whose own label is the path's last label (label_eq: the same core,
        or the same core without parenthetical notes), scored by the parent labels shown."""
        out = []
        if not path:
            rows = self.unlabelled
        else:
            leaf = path[-1]
            rows = (self.by_core.get(core(leaf), []) + self.by_core.get(row_key(leaf), [])
                    + self.by_loose.get(loose(core(leaf)), []))
        seen: set[int] = set()
        for t, r in rows:
            if id(r) in seen:
                continue
            seen.add(id(r))
            score = sum(1 for a in r.labels[:-1] if any(label_eq(a, p) for p in path[:-1]))
            out.append((t, r, score))
        order = {id(r): i for i, (_, r) in enumerate(self.all_rows)}
        out.sort(key=lambda x: order[id(x[1])])
        return out

    def fragment_rows(self, path: list[str]) -> list[tuple[Table, Axis, int]]:
        """Rows whose label contains this cut-short label (at least 4 characters)."""
        pieces = {loose(path[-1]), core(path[-1]), "".join(core(p) for p in path)}
        pieces = {p for p in pieces if len(p) >= 4}
        out = []
        for t in self.form.tables.values():
            for r in t.rows:
                if r.labels and any(p in core(r.labels[-1]) for p in pieces):
                    out.append((t, r, 0))
        return out

    def names_a_row(self, paras: list[str], but: set[tuple[str, str]]) -> bool:
        """Does any of these paragraphs (alone or joined with the next, from its start or from a
        numbering inside it: "（四）无2.没有现成信息需要另") print the label of a row of the form
        other than `but`, whole or cut short?"""
        texts = []
        for i in range(len(paras)):
            for whole in (paras[i], "".join(paras[i:i + 2])):
                texts.append(whole)
                texts += [whole[m.start():] for m in _NUMBERED.finditer(whole)][:4]
        for text in texts:
            if len(norm(text)) >= 4:
                rows = self.leaf_rows([text]) + self.fragment_rows([text])
                if any((t.id, r.id) not in but for t, r, _ in rows):
                    return True
        # the wrapped end of another row's label on a short line of its own ("法提供行制作": "…另行制作"
        # with a piece of "（四）无法提供" before it)
        for p in paras:
            c = core(p)
            if 3 <= len(c) <= 16 and any(c[-k:] and core(r.labels[-1]).endswith(c[-k:]) and (t.id, r.id) not in but
                                         for k in range(3, min(len(c), 6) + 1) for t, r in self.all_rows if r.labels):
                return True
        return False

    def numbered_rows(self, path: list[str]) -> list[tuple[Table, Axis]]:
        """The one row of the form numbered like the path's last label under the same parent labels
        (every parent shown matching), or none."""
        m = re.match(r"^(\d+)[.、．,]", norm(path[-1])) if path else None
        if not m or len(path) < 2:
            return []
        out = [(t, r) for t, r in self.all_rows
               if len(r.labels) == len(path) and re.match(rf"^{m.group(1)}[.、．,]", norm(r.labels[-1]))
               and all(label_eq(a, p) for a, p in zip(r.labels[:-1], path[:-1]))]
        return out if len(out) == 1 else []
