"""members' tables, one submodule per topic; everything is re-exported here (``from members.models import X``)."""

from members.models.core import Member, MemberQuerySet, StatsSnapshot  # noqa: F401
from members.models.rules import DuesBracket, LifecycleRule  # noqa: F401
from members.models.development import (  # noqa: F401
    LAST_STEP,
    STAGE_STEPS,
    STEP_BY_NUMBER,
    STEPS,
    DevelopmentCase,
    DevelopmentDocument,
    DevelopmentStep,
    Milestone,
    Phase,
    StepDef,
)
from members.models.lifecycle import (  # noqa: F401
    CareOccasion,
    CareOccasionKind,
    CareReport,
    CareVisit,
    DuesDeclaration,
    DuesExemption,
    DuesPayment,
    ElectedSeat,
    TermCandidate,
    TermElection,
    Transfer,
    exempt_through,
)
from members.models.stats import SheetLayout, StatReport, StatTable  # noqa: F401,E402
from members.models.discipline import DisciplinaryRecord  # noqa: F401,E402  (issue 19)
from members.models.departure import Departure  # noqa: F401,E402  (issue 21)
