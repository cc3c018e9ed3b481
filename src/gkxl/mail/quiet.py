"""Library warnings kept off the user's terminal.

The coordinator reads Chinese; an English "UserWarning: ..." from a library in
the middle of a collect or send run is noise at best and alarming at worst,
and none of them is about the clerk's file in a way the user could act on.
What the mail parser finds wrong with a message (its "defects") is not a
warning: parse.py turns those that matter into Chinese notes in the manifest.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Iterator


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Drop every warning raised in the block (a whole collect or send run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
