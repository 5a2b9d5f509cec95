"""Writes of 双述双评 (DESIGN §6): campaigns, rosters, codes, ballots, offline scores, reports.

Secrecy is kept here (issue 16): the choices are sealed in the request to the campaign's public key, before
the transaction that writes the participation ``Ballot`` and the ciphertext; nothing in clear links a rater
to a choice at any moment. The private key is split among the campaign's trustees when it is published (or,
in the weaker server mode, wrapped with the server's key); at the close it is rebuilt in memory, the box is
decrypted and tallied in one pass, the ciphertexts are deleted and only the tallies remain. Nothing here
logs who rated or what.

The writes are split by concern into the modules of this package; the public names are re-exported here so
``from assessments.services.ratings import …`` and ``services.ratings.<name>`` keep working.
"""

from __future__ import annotations

from assessments.services.ratings._common import (
    DEFAULT_DIMENSIONS,
    RATED_KINDS,
    RatingRefused,
)
from assessments.services.ratings.campaigns import (
    _server_key,
    ballot_space_reclaim,
    box_tally,
    campaign_close,
    campaign_create,
    campaign_publish,
    campaign_results_open,
    campaigns_close_due,
    target_report_update,
)
from assessments.services.ratings.ballots import (
    CodeForm,
    answers_parse,
    ballot_cast,
    code_ballot_cast,
    code_form_forget,
    code_lookup,
    codes_generate,
    targets_for_rater,
    targets_for_unit,
)
from assessments.services.ratings.roster import (
    COL_KIND,
    COL_NAME,
    COL_NUMBER,
    COL_PASSWORD,
    COL_UNIT,
    ROSTER_KIND_LABELS,
    ROSTER_REQUIRED,
    RosterError,
    RosterReport,
    rater_roster_import,
)
from assessments.services.ratings.offline import (
    offline_lines_parse,
    offline_scores_set,
)

__all__ = [
    "COL_KIND",
    "COL_NAME",
    "COL_NUMBER",
    "COL_PASSWORD",
    "COL_UNIT",
    "CodeForm",
    "DEFAULT_DIMENSIONS",
    "RATED_KINDS",
    "ROSTER_KIND_LABELS",
    "ROSTER_REQUIRED",
    "RatingRefused",
    "RosterError",
    "RosterReport",
    "_server_key",
    "answers_parse",
    "ballot_cast",
    "ballot_space_reclaim",
    "box_tally",
    "campaign_close",
    "campaign_create",
    "campaign_publish",
    "campaign_results_open",
    "campaigns_close_due",
    "code_ballot_cast",
    "code_form_forget",
    "code_lookup",
    "codes_generate",
    "offline_lines_parse",
    "offline_scores_set",
    "rater_roster_import",
    "target_report_update",
    "targets_for_rater",
    "targets_for_unit",
]
