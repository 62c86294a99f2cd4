"""Remove for good the toolbox rows whose undo window has passed (``models.kept``).

Every delete already purges what has waited long enough, so this only matters when nobody
deletes anything for a while: run it once (cron) or with ``--every 300``.
"""

from __future__ import annotations

from tandem.core.periodic import PeriodicCommand
from tandem.toolbox import services


class Command(PeriodicCommand):
    help = "Remove deleted toolbox items whose 10-minute undo window has passed."

    def tick(self) -> str:
        removed = services.purge_deleted()
        return f"removed {removed} deleted toolbox item(s)" if removed else ""
