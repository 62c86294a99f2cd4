"""The service user's recovery toolbox: life domains, status, goals, activities, medications,
network, crisis plan, exercise practice and journal. Everything belongs to one owner and is
private unless the owner shares a module (care.Grant) or a journal entry (JournalShare).

Free text that says something about a person's health is stored in ``EncryptedTextField``.
Its length limit is a validator (a TextField's ``max_length`` only shapes the form widget).

One module per part of the toolbox; Django finds the models through the imports below.
"""

from tandem.toolbox.models.crisis_plan import (
    CRISIS_PLAN_SECTION_MAX_LENGTH,
    CRISIS_PLAN_SECTIONS,
    CrisisPlan,
)
from tandem.toolbox.models.domains import DEFAULT_DOMAINS, DOMAIN_NAME_MAX_LENGTH, LifeDomain
from tandem.toolbox.models.exercises import ExercisePractice, validate_exercise_slug
from tandem.toolbox.models.fields import encrypted_text
from tandem.toolbox.models.goals import Activity, Goal, GoalStatus, GoalStatusChange, GoalStep
from tandem.toolbox.models.journal import JournalEntry, JournalShare
from tandem.toolbox.models.medications import Medication
from tandem.toolbox.models.network import Circle, NetworkMember, Quality
from tandem.toolbox.models.status import StatusRating

__all__ = [
    "CRISIS_PLAN_SECTIONS",
    "CRISIS_PLAN_SECTION_MAX_LENGTH",
    "DEFAULT_DOMAINS",
    "DOMAIN_NAME_MAX_LENGTH",
    "Activity",
    "Circle",
    "CrisisPlan",
    "ExercisePractice",
    "Goal",
    "GoalStatus",
    "GoalStatusChange",
    "GoalStep",
    "JournalEntry",
    "JournalShare",
    "LifeDomain",
    "Medication",
    "NetworkMember",
    "Quality",
    "StatusRating",
    "encrypted_text",
    "validate_exercise_slug",
]
