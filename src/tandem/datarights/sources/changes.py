"""The record of changes about the person's data (``core.ChangeRecord``), as on their "Changes to
my data" page: the lines themselves and the sentence each one reads as."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.accounts.models import User
from tandem.core.personal_data import ExportData, PersonalDataSource
from tandem.datarights.changes import changes_about, describe
from tandem.datarights.sources.rows import row


def export(user: AbstractBaseUser) -> ExportData:
    person = User.objects.get(pk=user.pk)
    records = list(changes_about(person))
    return {
        "changes": [
            {**row(record), "sentence": line.sentence}
            for record, line in zip(records, describe(person, records), strict=True)
        ]
    }


# No ``erase``: the record is append-only and holds ids, levels and states, never the
# person's name or words; the deletion leaves it, with ids that no longer resolve
# (docs/data-rights.md, "What stays").
SOURCE = PersonalDataSource(
    name="changes",
    description=(
        "Every change to who may see your data: access you gave and took back, care "
        "relationships, agreements and joint sessions started and ended, roles, and what "
        "moderators did about you. Who, what, when, before and after, and the request's "
        "reference."
    ),
    export=export,
)
