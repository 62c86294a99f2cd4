"""The questionnaires' share of a person's data export (``tandem.core.personal_data``),
registered from ``QuestionnairesConfig.ready()``.

Every response (drafts too) with its answers and, for submitted ones, the score worked out as
the pages show it; the check-in schedules; when the safety follow-up was shown. Erasure is the
account's cascade: every row here belongs to its owner by a CASCADE foreign key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.accounts.models import User
from tandem.core.personal_data import ExportData, PersonalDataSource
from tandem.questionnaires.models import FollowUpShown, Response, Schedule
from tandem.questionnaires.selectors import submitted_responses


def _response(response: Response, scores: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": response.pk,
        "instrument": response.instrument,
        "version": response.version,
        "answers": response.answers,
        "note": response.note,
        "note_shared": response.note_shared,
        "created_at": response.created_at.isoformat(),
        "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
        **scores.get(response.pk, {}),
    }


def export(user: AbstractBaseUser) -> ExportData:
    owner = User.objects.get(pk=user.pk)
    scores = {
        item.pk: {
            "score": item.score.value,
            "band": item.score.band.key if item.score.band else None,
        }
        for item in submitted_responses(owner)
    }
    responses = Response.objects.filter(owner=owner).order_by("pk")
    return {
        "responses": [_response(response, scores) for response in responses],
        "schedules": [
            {
                "instrument": schedule.instrument,
                "every": schedule.every,
                "unit": schedule.unit,
                "starts_on": schedule.starts_on.isoformat(),
            }
            for schedule in Schedule.objects.filter(owner=owner).order_by("pk")
        ],
        "follow_ups_shown": [
            {
                "response": f.response_id,
                "reasons": f.reasons,
                "shown_at": f.shown_at.isoformat(),
                "opened_plan_at": _when(f.opened_plan_at),
                "called_at": _when(f.called_at),
                "care_team_told_at": _when(f.care_team_told_at),
            }
            for f in FollowUpShown.objects.filter(response__owner=owner).order_by("pk")
        ],
    }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


SOURCE = PersonalDataSource(
    name="questionnaires",
    description=(
        "Your questionnaire answers (drafts too), with the score and band of each submitted "
        "one as Tandem showed them, your check-in schedules, and when a result page showed "
        "you the safety follow-up, whether you opened your crisis plan or called a contact "
        "from it, and when your care team was told (if you chose that)."
    ),
    export=export,
)
