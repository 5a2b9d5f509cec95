"""The assessment app's tables, one module per feature (the July-1 cycle's indicator tables join as
``cycles.py``); everything is re-exported here so ``assessments.models.X`` keeps working."""

from assessments.models.ratings import (  # noqa: F401
    Ballot,
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingScore,
    RatingTarget,
)
