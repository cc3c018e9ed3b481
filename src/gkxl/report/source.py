"""What every reader of a published report produces: paragraphs and tables.

A table is a list of rows of cell texts. Readers that know merged cells
(HTML, docx) repeat a merged cell's text in every position it covers; the
plain-text flattening cannot, so its rows are ragged. The mapper copes with
both.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Para:
    text: str


@dataclass
class RawTable:
    rows: list[list[str]] = field(default_factory=list)


Block = Para | RawTable


@dataclass
class SourceDoc:
    blocks: list[Block]
    path: str = ""
    title_hint: str = ""  # e.g. an HTML <title>
