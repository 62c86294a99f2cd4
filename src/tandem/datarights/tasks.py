"""Background work of data rights: building an export (never in a request)."""

from __future__ import annotations

from django_tasks import task

from tandem.datarights.services.exports import build_export


@task()
def build_export_task(export_id: str) -> bool:
    """Build one export; its id is all the task's arguments say (nothing personal is queued)."""
    return build_export(export_id=export_id)
