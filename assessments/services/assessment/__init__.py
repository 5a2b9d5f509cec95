"""Writes of the July-1 cycle (DESIGN §5, §7): cycles, the daily step's phases, self-assessment, committee
review and summary, verification by 组织部, rankings and publication.

Who may do what:

* a unit's own secretary, deputy or organizer (a current role *on the unit*) self-assesses it;
* whoever manages units on the unit's parent reviews it (the committee for its branches; 组织部 for the
  committees, whose parent is the university);
* whoever manages units on the cycle's university verifies every assessment (组织部).

The writes are split by topic into the modules of this package: ``_common`` (constants, permissions, totals
and ranks), ``opening`` (the assessments and their pre-filled items), ``phases`` (the cycle's dates, the daily
step, publication) and ``writes`` (people's writes). The names are re-exported here, ``_ratio_points`` too
(programme_measures uses it), so ``from assessments.services.assessment import …`` keeps working.
"""

from __future__ import annotations

from assessments.services.assessment._common import (
    BULK_BATCH,
    ONE_DECIMAL,
    SELF_ROLES,
    VETO_DECIDED,
    assessment_score,
    cycle_rank,
    may_review,
    may_self_assess,
    may_verify,
)
from assessments.services.assessment.opening import (
    Measures,
    _ratio_points,
    assessments_open,
    measures_collect,
    prefill,
)
from assessments.services.assessment.phases import (
    assessment_cycles_advance,
    cycle_create,
    cycle_default_dates,
    cycle_publish,
)
from assessments.services.assessment.writes import (
    ItemInput,
    assessment_review,
    assessment_self_save,
    assessment_verify,
    committee_summary_save,
)

__all__ = [
    "BULK_BATCH",
    "ONE_DECIMAL",
    "SELF_ROLES",
    "VETO_DECIDED",
    "assessment_score",
    "cycle_rank",
    "may_review",
    "may_self_assess",
    "may_verify",
    "Measures",
    "_ratio_points",
    "assessments_open",
    "measures_collect",
    "prefill",
    "assessment_cycles_advance",
    "cycle_create",
    "cycle_default_dates",
    "cycle_publish",
    "ItemInput",
    "assessment_review",
    "assessment_self_save",
    "assessment_verify",
    "committee_summary_save",
]
