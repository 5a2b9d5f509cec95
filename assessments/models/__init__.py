"""The assessment app's tables, one module per feature (the July-1 cycle's indicator tables join as
``cycles.py``); everything is re-exported here so ``assessments.models.X`` keeps working."""

from assessments.models.ballots import BallotBox, BallotRemark, BallotTally, SealedBallot  # noqa: F401  (issue 16)
from assessments.models.ratings import (  # noqa: F401
    Ballot,
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingTarget,
)
from assessments.models.targets import Indicator, IndicatorTable, PlanItem, Programme  # noqa: F401  (issue 5)
from assessments.models.cycle import Assessment, AssessmentCycle, Grade, ItemScore  # noqa: F401  (issue 5)
from assessments.models.evaluation import (  # noqa: F401,E402  (issue 19)
    EvaluationBallot,
    EvaluationCommentBallot,
    EvaluationEntry,
    EvaluationFollowUp,
    EvaluationGrade,
    MemberEvaluation,
)
from assessments.models.evaluation_files import EvaluationFile  # noqa: F401,E402  (issue 19: 个人自评's file)
from assessments.models.guides import (  # noqa: F401  (issue 18)
    AnnualGuide,
    EightOnesItem,
    EightOnesTick,
    GuideAction,
    GuideActionDone,
)
from assessments.models.commendation import (  # noqa: F401,E402  (issue 19, 七一表彰)
    Commendation,
    CommendationQuota,
    HonourKind,
    Nomination,
    NominationObjection,
)
