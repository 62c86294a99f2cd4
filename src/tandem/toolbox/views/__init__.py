"""The toolbox's views, one module per part; see each module. Owner pages live under
/toolbox/ and answer only to service users; the care team's read-only pages under
/people/<owner_id>/<module>/ begin with ``care.access.get_owner_for_viewer``, which checks the
grant, logs the read and 404s otherwise. Owner and care-team pages share their templates;
``read_only`` hides everything that changes."""

from tandem.toolbox.views.activities import (
    activity_delete,
    activity_edit,
    activity_list,
    shared_activities,
)
from tandem.toolbox.views.crisis_plan import (
    crisis_plan,
    crisis_plan_edit,
    crisis_plan_offline,
    crisis_plan_print,
    crisis_plan_service_worker,
    shared_crisis_plan,
)
from tandem.toolbox.views.domains import (
    domain_detail,
    domain_list,
    domain_remove,
    home,
    organisation_domains,
)
from tandem.toolbox.views.exercises import (
    exercise_detail,
    exercise_list,
    practice_delete,
    shared_exercises,
)
from tandem.toolbox.views.goals import (
    goal_comment,
    goal_create,
    goal_delete,
    goal_detail,
    goal_edit,
    goal_list,
    shared_goal_comment,
    shared_goal_detail,
    shared_goals,
    step_delete,
    step_move,
    step_toggle,
)
from tandem.toolbox.views.journal import (
    journal_comment,
    journal_create,
    journal_delete,
    journal_detail,
    journal_edit,
    journal_list,
    journal_share,
    journal_unshare,
    shared_journal,
    shared_journal_comment,
    shared_journal_detail,
)
from tandem.toolbox.views.medications import (
    medication_create,
    medication_delete,
    medication_edit,
    medication_list,
    medication_stop,
    shared_medications,
)
from tandem.toolbox.views.network import (
    network,
    network_delete,
    network_edit,
    shared_network,
)
from tandem.toolbox.views.status import (
    rating_delete,
    shared_status,
    status,
)
from tandem.toolbox.views.undo import deleted, deleted_undo

__all__ = [
    "activity_delete",
    "activity_edit",
    "activity_list",
    "crisis_plan",
    "crisis_plan_edit",
    "crisis_plan_offline",
    "crisis_plan_print",
    "crisis_plan_service_worker",
    "deleted",
    "deleted_undo",
    "domain_detail",
    "domain_list",
    "domain_remove",
    "exercise_detail",
    "exercise_list",
    "goal_comment",
    "goal_create",
    "goal_delete",
    "goal_detail",
    "goal_edit",
    "goal_list",
    "home",
    "journal_comment",
    "journal_create",
    "journal_delete",
    "journal_detail",
    "journal_edit",
    "journal_list",
    "journal_share",
    "journal_unshare",
    "medication_create",
    "medication_delete",
    "medication_edit",
    "medication_list",
    "medication_stop",
    "network",
    "network_delete",
    "network_edit",
    "organisation_domains",
    "practice_delete",
    "rating_delete",
    "shared_activities",
    "shared_crisis_plan",
    "shared_exercises",
    "shared_goal_comment",
    "shared_goal_detail",
    "shared_goals",
    "shared_journal",
    "shared_journal_comment",
    "shared_journal_detail",
    "shared_medications",
    "shared_network",
    "shared_status",
    "status",
    "step_delete",
    "step_move",
    "step_toggle",
]
