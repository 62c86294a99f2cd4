"""Scores over time: the person's own trend pages and FHIR download, and the care team's
read of them."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care.access import get_module_access_for_viewer
from tandem.care.models import Module
from tandem.questionnaires import catalogue, selectors
from tandem.questionnaires.access import get_instrument_to_review_or_404, get_response_for_owner
from tandem.questionnaires.charts import TrendChart, TrendRow, trend_chart, visible_note
from tandem.questionnaires.fhir import build_bundle
from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.views.common import service_user_only
from tandem.toolbox.selectors.goals import GoalMark, goal_timeline


def _trends(
    owner: User,
    instruments: list[Instrument] | None,
    goals: list[GoalMark] | None = None,
    *,
    shared_only: bool = False,
) -> list[dict[str, Any]]:
    """Per instrument its chart and its rows, newest first: one query for all of them (and
    one for the goals, when given). ``instruments`` None: every built-in instrument and every
    custom one ``owner`` answered (by the version answered last). The person's notes on the
    points: all of them for the owner, only the shared ones when ``shared_only``."""
    key = instruments[0].key if instruments and len(instruments) == 1 else None
    history = selectors.submitted_responses(owner, key)
    if instruments is None:
        answered = {
            item.instrument.key: item.instrument for item in history if item.instrument.custom
        }
        instruments = [*catalogue.built_in(), *answered.values()]
    trends = []
    for instrument in instruments:
        mine = [item for item in history if item.instrument.key == instrument.key]
        chart: TrendChart = trend_chart(instrument, mine, goals or (), shared_only=shared_only)
        rows = [
            TrendRow(item, visible_note(item, shared_only=shared_only)) for item in reversed(mine)
        ]
        trends.append({"instrument": instrument, "chart": chart, "rows": rows})
    return trends


@require_GET
@service_user_only
def trends(request: HttpRequest, instrument_key: str) -> HttpResponse:
    owner = current_user(request)
    instrument = get_instrument_to_review_or_404(owner, instrument_key)
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
        {
            "owner": access.owner,
            # The table's rows link to each response's answers (opened one by one, logged).
            "shared_owner": access.owner,
            # Notes are the person's own: only those they chose to share are shown here.
            "trends": _trends(access.owner, None, shared_only=True),
        },
    )


@require_GET
@service_user_only
def fhir_export(request: HttpRequest) -> HttpResponse:
    """The person's own submitted responses as a FHIR R4 Bundle (JSON), to download."""
    bundle = build_bundle(selectors.submitted_responses(current_user(request)))
    return _download(bundle, "questionnaires-fhir.json")


@require_GET
@service_user_only
def fhir_response_export(request: HttpRequest, response_id: int) -> HttpResponse:
    """One of the person's own submitted responses as a FHIR R4 Bundle (the gate of its result
    page: someone else's, a draft or a missing one is 404); one no longer scored by a known
    version of its questionnaire cannot be described, so it is 404 too."""
    found = selectors.scored(get_response_for_owner(current_user(request), response_id))
    if found is None:
        raise Http404
    return _download(build_bundle([found]), f"questionnaire-response-{found.pk}-fhir.json")


def _download(bundle: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
