"""Reads of a toolbox, shaped for the pages. Every read is scoped by its owner and names its
joins; none of them checks who is looking (the views gate that first, through
``care.access.get_module_access_for_viewer`` or the owner gates in ``toolbox.access``).

Each page reads a fixed number of queries whatever the data size: per-domain "latest N"
lists use a window function (one query for all domains), goal progress comes from two
subqueries, and long lists are paginated by the views.

One module per part of the toolbox, as in ``views/``.
"""

from tandem.toolbox.selectors.changes import latest_changes
from tandem.toolbox.selectors.crisis_plan import (
    PlanSection,
    crisis_plan_for_owner,
    crisis_plan_sections,
)
from tandem.toolbox.selectors.domains import (
    OrganisationDomains,
    domains_for_organisation,
    visible_domains,
    visible_domains_query,
)
from tandem.toolbox.selectors.exercises import (
    PracticeSummary,
    practice_for_owner,
    practice_summaries,
)
from tandem.toolbox.selectors.goals import (
    GOAL_DETAIL_ACTIVITIES,
    GoalDetail,
    active_goals_for_choice,
    activities_for_owner,
    goal_detail,
    goals_for_owner,
    with_progress,
)
from tandem.toolbox.selectors.journal import (
    ShareTarget,
    journal_for_owner,
    journal_shared_with,
    share_targets,
    shares_of_entry,
)
from tandem.toolbox.selectors.medications import current_medications, past_medications
from tandem.toolbox.selectors.network import (
    MAP_MEMBERS_PER_CIRCLE,
    network_for_owner,
    network_map_for_owner,
)
from tandem.toolbox.selectors.status import (
    DOMAIN_DETAIL_ITEMS,
    PANEL_ACTIVITIES,
    PANEL_GOALS,
    PANEL_RATINGS,
    STATUS_CHART_RATINGS,
    DomainDetail,
    DomainStatus,
    control_panel,
    domain_detail,
    ratings_for_owner,
    status_overview,
)

__all__ = [
    "DOMAIN_DETAIL_ITEMS",
    "GOAL_DETAIL_ACTIVITIES",
    "MAP_MEMBERS_PER_CIRCLE",
    "PANEL_ACTIVITIES",
    "PANEL_GOALS",
    "PANEL_RATINGS",
    "STATUS_CHART_RATINGS",
    "DomainDetail",
    "DomainStatus",
    "GoalDetail",
    "OrganisationDomains",
    "PlanSection",
    "PracticeSummary",
    "ShareTarget",
    "active_goals_for_choice",
    "activities_for_owner",
    "control_panel",
    "crisis_plan_for_owner",
    "crisis_plan_sections",
    "current_medications",
    "domain_detail",
    "domains_for_organisation",
    "goal_detail",
    "goals_for_owner",
    "journal_for_owner",
    "journal_shared_with",
    "latest_changes",
    "network_for_owner",
    "network_map_for_owner",
    "past_medications",
    "practice_for_owner",
    "practice_summaries",
    "ratings_for_owner",
    "share_targets",
    "shares_of_entry",
    "status_overview",
    "visible_domains",
    "visible_domains_query",
    "with_progress",
]
