"""The form definition: load a TOML file from `workbook_templates/`, check it,
and expand its compact references into concrete cells.

Nothing about any particular year's format lives in Python: the writer, the
reader, the checks and the roll-up only ever see a `Form`.

model.py (the types), refs.py (references and their expansion), parse.py (TOML -> Form, checked),
files.py (finding and loading form files), plan.py (where every cell sits), layout.py, compute.py.
"""

from __future__ import annotations

from .model import (CELL_KINDS, OPS, RULE_KINDS, SEVERITIES, Axis, CellKey, Derived, Field, Form, Rule,  # noqa: F401
                    RuleInstance, Sheet, Table, Term)
from .refs import Ref, expand_cells, expand_compare, parse_ref  # noqa: F401
from .parse import PROMPT_KEYS, parse_form  # noqa: F401
from .files import DEFAULT_FORM, available_forms, forms_dir, load_form, load_form_file  # noqa: F401
