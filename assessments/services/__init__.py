"""Writes of the assessment app, one module per feature; the public names are re-exported here."""

from assessments.services.cycles import cycles_advance  # noqa: F401
from assessments.services.ratings import (  # noqa: F401
    RatingRefused,
    ballot_cast,
    campaign_close,
    campaign_create,
    campaign_publish,
    code_ballot_cast,
    codes_generate,
    offline_scores_set,
    rater_roster_import,
    target_report_update,
)
from assessments.services.assessment import (  # noqa: F401  (issue 5: the July-1 cycle)
    assessment_cycles_advance,
    assessment_review,
    assessment_self_save,
    assessment_verify,
    committee_summary_save,
    cycle_create,
    cycle_publish,
)
