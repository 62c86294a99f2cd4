"""What a score means, in plain words. Never a diagnosis: bands describe how much of something
the answers report, and every explanation says what the score is for."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tandem.questionnaires.instruments import Instrument
from tandem.questionnaires.scoring import POOR_WELLBEING, WHO5_MEANINGFUL_CHANGE, Score

NOT_A_DIAGNOSIS = _(
    "This is not a diagnosis. Questionnaires like this one help you notice changes over time "
    "and give you something to talk about with someone you trust or your care team."
)


def explain(instrument: Instrument, score: Score) -> list[str]:
    if not score.is_complete:
        numbers = ", ".join(str(number) for number in score.missing)
        return [
            _("This response is not scored: question(s) %(numbers)s have no answer.")
            % {"numbers": numbers}
        ]
    if instrument.key == "who5":
        lines = [
            _(
                "Your wellbeing score is %(pct)s%% (your answers add up to %(raw)s out of 25, "
                "multiplied by four). Higher scores mean better wellbeing."
            )
            % {"pct": score.percentage, "raw": score.total}
        ]
        if POOR_WELLBEING in score.flags:
            lines.append(
                _(
                    "A score below 50%%, or any answer of “at no time” or “some of the time”, "
                    "suggests your wellbeing has been low lately. It may help to talk about it."
                )
            )
        return [*lines, NOT_A_DIAGNOSIS]
    lines = [
        _("Your answers add up to %(total)s out of %(max)s.")
        % {"total": score.total, "max": score.max_total}
    ]
    if score.band is not None:
        lines.append(
            _(
                "On the %(title)s, scores from %(low)s to %(high)s are described as "
                "“%(band)s”. Lower scores mean fewer problems."
            )
            % {
                "title": instrument.title,
                "low": score.band.low,
                "high": score.band.high,
                "band": score.band.label.lower(),
            }
        )
    else:
        lines.append(
            _(
                "Higher scores mean more of what people describe as part of recovery. There are "
                "no bands: what matters is how your own score changes."
            )
        )
    return [*lines, NOT_A_DIAGNOSIS]


def explain_change(instrument: Instrument, change: int | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return _("The same as last time.")
    better = (change > 0) == instrument.higher_is_better
    size = abs(change)
    if instrument.key == "who5" and size < WHO5_MEANINGFUL_CHANGE:
        return _("%(size)s points different from last time: a small change.") % {"size": size}
    if better:
        return _("%(size)s points better than last time.") % {"size": size}
    return _("%(size)s points worse than last time.") % {"size": size}
