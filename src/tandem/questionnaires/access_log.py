"""A questionnaire response a care provider opened, as the owner's access log names it
(``care.access_log``; registered in ``QuestionnairesConfig.ready``): "Pat viewed your answers to
PHQ-9 of 3 Mar 2026 on …".

The log keeps only the kind and the response's id. The name is made here when the owner reads
their log, from the instrument and the day, never from an answer or a score.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.care.access_log import ItemKind
from tandem.care.models import Module
from tandem.questionnaires import catalogue
from tandem.questionnaires.models import Response

RESPONSE = "questionnaire_response"


def response_titles(owner_id: int, ids: list[int]) -> dict[int, str]:
    """ "PHQ-9 of 3 Mar 2026" for each of ``owner_id``'s submitted responses among ``ids`` (one
    query, and one more when some answer a custom questionnaire)."""
    rows = list(
        Response.objects.filter(owner_id=owner_id, pk__in=ids, submitted_at__isnull=False).only(
            "pk", "instrument", "version", "submitted_at"
        )
    )
    instruments = catalogue.resolve((row.instrument, row.version) for row in rows)
    titles = {}
    for row in rows:
        instrument = instruments.get((row.instrument, row.version))
        assert row.submitted_at is not None  # noqa: S101 - filtered above
        titles[row.pk] = _("%(questionnaire)s of %(day)s") % {
            "questionnaire": instrument.title if instrument else _("a questionnaire"),
            "day": date_format(timezone.localtime(row.submitted_at), "j M Y"),
        }
    return titles


RESPONSE_KIND = ItemKind(
    kind=RESPONSE,
    module=Module.QUESTIONNAIRES,
    named=gettext_lazy("your answers to %(title)s"),
    titles=response_titles,
)
