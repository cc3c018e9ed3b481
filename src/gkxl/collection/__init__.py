"""Which received file counts for which agency, and every agency's status.

One function decides this for every command — `status`, `check` and
`send feedback` on a working folder, the roll-up's 完成情况 and 来源, and
`aggregate` over plain folders — so they can never disagree.

Rules (stated in the README):
- every received file gets exactly one fate (FILE_FATES);
- a readable return counts for the agency in its own identity, unless it is
  待确认: its agency is not on the roster, its year is not the collection's,
  it has no identity, or its sender's address belongs to another agency
  (a region's office may send for the agencies below it). A 待确认 file
  counts for nobody until the coordinator assigns, accepts or rejects it;
- of the files that count for an agency, the latest received is its current
  version (mail received time, then time added, then the workbook's own
  saved time); the others are 已被替代, or 重复 when identical to a later one;
- a region's current return (its roll-up, or a template made for the
  region's code and filled by hand) stands for every agency below it;
- 逾期: the agency's *first* return arrived after the deadline. A correction
  sent after the deadline does not make an agency that answered in time late.
"""

from __future__ import annotations

from .model import *  # noqa: F401,F403 - Fate, Status, Flag, Received, AgencyState, Resolution and the constants
from .model import _instant  # noqa: F401
from .resolve import (departments_done, in_scope, region_counts, resolve, sender_codes,  # noqa: F401
                      summary_counts, superseded_among, top_region)
