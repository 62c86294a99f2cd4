"""The toolbox items a care provider can open one by one (a goal, a shared journal entry), as
the owner's access log names them (``care.access_log``; registered in ``ToolboxConfig.ready``).

The log keeps only the kind and the id. The title is read here when the owner opens their log,
so it is the title as it is now, and a deleted item is simply not found. The owner is reading
their own titles: nothing is shown to anyone else.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.care.access_log import ItemKind
from tandem.care.models import Module
from tandem.toolbox.models import Goal, JournalEntry

GOAL = "goal"
JOURNAL_ENTRY = "journal_entry"


def goal_titles(owner_id: int, ids: list[int]) -> dict[int, str]:
    """The titles of ``owner_id``'s goals among ``ids`` (one query)."""
    goals = Goal.objects.filter(owner_id=owner_id, pk__in=ids).only("pk", "title")
    return {goal.pk: goal.title for goal in goals}


def journal_entry_titles(owner_id: int, ids: list[int]) -> dict[int, str]:
    """The titles of ``owner_id``'s journal entries among ``ids`` (one query)."""
    entries = JournalEntry.objects.filter(owner_id=owner_id, pk__in=ids).only("pk", "title")
    return {entry.pk: entry.title for entry in entries}


ITEM_KINDS = (
    ItemKind(kind=GOAL, module=Module.GOALS, named=_("your goal “%(title)s”"), titles=goal_titles),
    ItemKind(
        kind=JOURNAL_ENTRY,
        module=Module.JOURNAL,
        named=_("your journal entry “%(title)s”"),
        titles=journal_entry_titles,
    ),
)
