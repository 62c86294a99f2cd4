"""The care provider's caseload row: each person's latest score per questionnaire and the
change since the one before, never an answer (registered with ``care.modules`` in
``QuestionnairesConfig.ready``; care asks only about people who share the module, and logs
each summary it shows)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tandem.questionnaires.explain import explain_change
from tandem.questionnaires.models import Response
from tandem.questionnaires.selectors import ScoredResponse, scored_all


def _latest_two(owner_ids: list[int]) -> dict[int, dict[str, list[ScoredResponse]]]:
    """Per owner and instrument, the two latest submitted responses, newest first: one query
    reading only ids and keys of every response, one reading (and decrypting) the two kept per
    instrument, and one for custom instruments when some are answered."""
    kept: dict[tuple[int, str], list[int]] = {}
    rows = (
        Response.objects.filter(owner_id__in=owner_ids, submitted_at__isnull=False)
        .order_by("owner_id", "-submitted_at", "-pk")
        .values_list("pk", "owner_id", "instrument")
    )
    for pk, owner_id, key in rows.iterator(chunk_size=2000):
        two = kept.setdefault((owner_id, key), [])
        if len(two) < 2:
            two.append(pk)
    wanted = [pk for pks in kept.values() for pk in pks]
    if not wanted:
        return {}
    responses = Response.objects.filter(pk__in=wanted).order_by("-submitted_at", "-pk")
    found: dict[int, dict[str, list[ScoredResponse]]] = {}
    for item in scored_all(list(responses)):
        found.setdefault(item.response.owner_id, {}).setdefault(item.instrument.key, []).append(
            item
        )
    return found


def _line(latest: ScoredResponse, previous: ScoredResponse | None) -> str:
    instrument, score = latest.instrument, latest.score
    assert latest.submitted_at is not None  # noqa: S101 - only submitted responses are read
    day = date_format(timezone.localtime(latest.submitted_at), "j M Y")
    if score.value is None:
        return _("%(title)s: not scored, %(day)s") % {"title": instrument.title, "day": day}
    value = f"{score.value}%" if instrument.key == "who5" else str(score.value)
    shown = (
        _("%(title)s: %(value)s (%(band)s), %(day)s")
        % {"title": instrument.title, "value": value, "band": score.band.label, "day": day}
        if score.band is not None
        else _("%(title)s: %(value)s, %(day)s")
        % {"title": instrument.title, "value": value, "day": day}
    )
    before = previous.score.value if previous is not None else None
    if before is None:
        return shown
    return f"{shown}. {explain_change(instrument, score.value - before)}"


def caseload_lines(owner_ids: list[int]) -> dict[int, list[str]]:
    """Per owner, one line per questionnaire answered: "PHQ-9: 12 (Moderate), 4 Dec 2026. 3
    points better than last time." Built-in instruments first, as on the person's own page."""
    lines: dict[int, list[str]] = {}
    for owner_id, per_instrument in _latest_two(owner_ids).items():
        ordered = sorted(
            per_instrument.values(),
            key=lambda two: (two[0].instrument.custom, two[0].instrument.title),
        )
        lines[owner_id] = [_line(two[0], two[1] if len(two) > 1 else None) for two in ordered]
    return lines
