"""政策解读：每份政策文件都有解读，二者互相链接，解读按时发布且不流于形式。

For every policy document (政策文件) published from ``period_start`` to
``as_of`` the check looks for its interpretations (政策解读: text, 图解,
video, Q&A), matches them by explicit links or by the title / 文号 the
interpretation names, and judges the document: ``linked`` / ``unlinked`` /
``missing`` (or ``pending`` while its deadline has not passed), flagged
``late`` (more than N Chinese working days after the policy), ``formal``
(copies the policy or lists its headings) and ``no_contact`` (no
consultation department or phone).

What is a policy, an interpretation, a column and a threshold lives in
``config/interpretation.yaml``, apart from this logic.

The package, by layer (each module imports only those above it): rules
(the schema of the rules file), calendar (working days), text
(normalisation), documents (the document model), matching (finding the
policy an interpretation names), formal (copied text), analyser (one site's
analysis) and check (the registered check, its findings). Importing the
package registers the check; the names below are those callers import.
"""

from __future__ import annotations

from zwgk.checks.interpretation.analyser import Analyzer
from zwgk.checks.interpretation.calendar import (
    calendar_note,
    is_workday,
    nth_working_day_after,
    working_days_after,
)
from zwgk.checks.interpretation.check import InterpretationCheck
from zwgk.checks.interpretation.documents import (
    Analysis,
    Doc,
    Interpretation,
    Judgment,
    Match,
    Policy,
    doc_title,
    publish_date,
)
from zwgk.checks.interpretation.formal import overlap, policy_headings
from zwgk.checks.interpretation.matching import best_scores
from zwgk.checks.interpretation.rules import (
    RULES_FILE,
    ColumnRules,
    FormalRules,
    FormRules,
    InterpretationRules,
    MatchingRules,
    PolicyRules,
    Rules,
    load_rules,
)
from zwgk.checks.interpretation.text import (
    interpretation_cores,
    norm,
    norm_doc_number,
    policy_cores,
    squash,
    strip_note,
    title_score,
)

__all__ = [
    "RULES_FILE",
    "Analysis",
    "Analyzer",
    "ColumnRules",
    "Doc",
    "FormRules",
    "FormalRules",
    "Interpretation",
    "InterpretationCheck",
    "InterpretationRules",
    "Judgment",
    "Match",
    "MatchingRules",
    "Policy",
    "PolicyRules",
    "Rules",
    "best_scores",
    "calendar_note",
    "doc_title",
    "interpretation_cores",
    "is_workday",
    "load_rules",
    "norm",
    "norm_doc_number",
    "nth_working_day_after",
    "overlap",
    "policy_cores",
    "policy_headings",
    "publish_date",
    "squash",
    "strip_note",
    "title_score",
    "working_days_after",
]
