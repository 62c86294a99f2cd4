"""Scores over time: the person's own trend pages and FHIR download, and the care team's
read of them."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_module_access_for_viewer
from tandem.care.models import Module
from tandem.questionnaires import selectors
from tandem.questionnaires.access import get_instrument_or_404
from tandem.questionnaires.charts import TrendChart, trend_chart
from tandem.questionnaires.fhir import build_bundle
from tandem.questionnaires.instruments import INSTRUMENTS, Instrument
from tandem.questionnaires.views.common import service_user_only
from tandem.toolbox.selectors.goals import GoalMark, goal_timeline


def _trends(
    owner: User, instruments: list[Instrument], goals: list[GoalMark] | None = None
) -> list[dict[str, Any]]:
    """Per instrument its chart and its rows, newest first: one query for all of them (and
    one for the goals, when given)."""
    key = instruments[0].key if len(instruments) == 1 else None
    history = selectors.submitted_responses(owner, key)
    trends = []
    for instrument in instruments:
        mine = [item for item in history if item.instrument.key == instrument.key]
        chart: TrendChart = trend_chart(instrument, mine, goals or ())
        trends.append({"instrument": instrument, "chart": chart, "rows": list(reversed(mine))})
    return trends


@require_GET
@service_user_only
def trends(request: HttpRequest, instrument_key: str) -> HttpResponse:
    instrument = get_instrument_or_404(instrument_key)
    owner = current_user(request)
    return render(
        request,
        "questionnaires/trends.html",
        {
            # The person's own goals beside their own scores. The care team's page below
            # shows scores only: goals are another module, shared by its own grant.
            "trends": _trends(owner, [instrument], goal_timeline(owner)),
            "instrument": instrument,
        },
    )


@require_GET
def shared_questionnaires(request: HttpRequest, owner_id: int) -> HttpResponse:
    """A provider with a view grant: latest scores and trends of every instrument (one read,
    logged once by the gate)."""
    access = get_module_access_for_viewer(request.user, owner_id, Module.QUESTIONNAIRES)
    return render(
        request,
        "questionnaires/shared_questionnaires.html",
        {"owner": access.owner, "trends": _trends(access.owner, list(INSTRUMENTS.values()))},
    )


@require_GET
@service_user_only
def fhir_export(request: HttpRequest) -> HttpResponse:
    """The person's own submitted responses as a FHIR R4 Bundle (JSON), to download."""
    bundle = build_bundle(selectors.submitted_responses(current_user(request)))
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="questionnaires-fhir.json"'
    return response
