"""Identity resolution: which licence records, across authorities, are the same person, and why.

See docs/matching.md. Pure functions over plain records; the store, the API and the jobs wire it in.
"""

from licensing.identity.conflicts import IdentityConflict, identity_conflicts
from licensing.identity.dln import DlnGrade, grade_driving_licence_number
from licensing.identity.estimate import DEFAULT_BANDS, estimate_model
from licensing.identity.keys import KEY_GROUP_LIMIT, blocking_keys
from licensing.identity.model import Bands, MatchModel
from licensing.identity.quality import QualityReport, evaluate
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare
from licensing.identity.resolve import HumanDecision, Resolution, resolve, resolve_against
from licensing.identity.score import PairScore, score_pair, score_prepared
from licensing.identity.search import SearchQuery, query_breadth_problem, query_keys, rank_candidates, shared_ranks

__all__ = [
    "Bands",
    "DEFAULT_BANDS",
    "DlnGrade",
    "HumanDecision",
    "IdentityConflict",
    "IdentityRecord",
    "KEY_GROUP_LIMIT",
    "MatchModel",
    "PairScore",
    "PreparedRecord",
    "QualityReport",
    "Resolution",
    "SearchQuery",
    "blocking_keys",
    "estimate_model",
    "evaluate",
    "grade_driving_licence_number",
    "identity_conflicts",
    "prepare",
    "query_breadth_problem",
    "query_keys",
    "rank_candidates",
    "resolve",
    "resolve_against",
    "score_pair",
    "score_prepared",
    "shared_ranks",
]
