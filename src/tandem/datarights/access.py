"""Gates of data rights: an export is only ever its owner's."""

from __future__ import annotations

import uuid

from django.http import Http404

from tandem.accounts.models import User
from tandem.datarights.models import DataExport


def get_export_for_user(user: User, export_id: uuid.UUID) -> DataExport:
    """Return the export ``export_id`` if ``user`` asked for it, else raise ``Http404``.

    Someone else's export and one that does not exist look the same.
    """
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise Http404
    return export
