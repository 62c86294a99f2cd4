"""Every change to a toolbox. Only the owner changes their toolbox (organisation admins change
the organisation's life domains); providers only comment, through ``care.services``.

Each function takes the acting owner and the object (fetched through a gate in
``toolbox.access``), checks the domain rules, runs ``full_clean`` and saves in a transaction.
A ValidationError names the field it is about, so views can show it beside that field.

One module per part of the toolbox, as in ``views/``; ``common`` holds the checks they share.
"""

from tandem.toolbox.services.crisis_plan import save_crisis_plan
from tandem.toolbox.services.domains import (
    MAX_PERSONAL_DOMAINS,
    add_organisation_domain,
    add_personal_domain,
    remove_organisation_domain,
    remove_personal_domain,
    set_default_domain_hidden,
)
from tandem.toolbox.services.exercises import delete_practice, log_practice
from tandem.toolbox.services.goals import (
    MAX_STEPS_PER_GOAL,
    add_step,
    create_goal,
    create_goal_from_form,
    delete_activity,
    delete_goal,
    delete_step,
    log_activity,
    move_step,
    set_goal_status,
    set_step_done,
    update_activity,
    update_goal,
    update_goal_from_form,
)
from tandem.toolbox.services.journal import (
    delete_journal_entry,
    edit_journal_entry,
    share_journal_entry,
    unshare_journal_entry,
    write_journal_entry,
)
from tandem.toolbox.services.kept import purge_deleted, restore_deleted
from tandem.toolbox.services.medications import (
    MEDICATION_FIELDS,
    add_medication,
    delete_medication,
    stop_medication,
    update_medication,
)
from tandem.toolbox.services.network import (
    add_network_member,
    delete_network_member,
    update_network_member,
)
from tandem.toolbox.services.status import delete_status_rating, record_status

__all__ = [
    "MAX_PERSONAL_DOMAINS",
    "MAX_STEPS_PER_GOAL",
    "MEDICATION_FIELDS",
    "add_medication",
    "add_network_member",
    "add_organisation_domain",
    "add_personal_domain",
    "add_step",
    "create_goal",
    "create_goal_from_form",
    "delete_activity",
    "delete_goal",
    "delete_journal_entry",
    "delete_medication",
    "delete_network_member",
    "delete_practice",
    "delete_status_rating",
    "delete_step",
    "edit_journal_entry",
    "log_activity",
    "log_practice",
    "move_step",
    "purge_deleted",
    "record_status",
    "remove_organisation_domain",
    "remove_personal_domain",
    "restore_deleted",
    "save_crisis_plan",
    "set_default_domain_hidden",
    "set_goal_status",
    "set_step_done",
    "share_journal_entry",
    "stop_medication",
    "unshare_journal_entry",
    "update_activity",
    "update_goal",
    "update_goal_from_form",
    "update_medication",
    "update_network_member",
    "write_journal_entry",
]
