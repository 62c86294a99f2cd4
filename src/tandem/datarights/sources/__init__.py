"""The personal data of the apps below data rights, registered in the core registry.

Apps written later (questionnaires, courses) register their own source from their
``AppConfig.ready()`` with ``tandem.core.personal_data.register_personal_data``; these are
the ones data rights knows itself, since the apps predate the registry.
"""

from __future__ import annotations

from tandem.core.personal_data import register_personal_data
from tandem.datarights.sources import (
    account,
    care,
    changes,
    forum,
    messaging,
    moderation,
    notifications,
    toolbox,
)


def register_all() -> None:
    for module in (account, toolbox, care, messaging, forum, notifications, moderation, changes):
        register_personal_data(module.SOURCE)
