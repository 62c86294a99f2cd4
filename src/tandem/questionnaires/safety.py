"""When a result needs the safety follow-up at once: PHQ-9 item 9 above 0 (whatever the
total), or a WHO-5 at or below 28 %. The result page then shows the person's own crisis plan
and the organisation's crisis contacts, before anything else."""

from __future__ import annotations

from tandem.questionnaires.scoring import LOW_WELLBEING, SELF_HARM_THOUGHTS, Score

FOLLOW_UP_FLAGS = (SELF_HARM_THOUGHTS, LOW_WELLBEING)


def follow_up_reasons(score: Score) -> tuple[str, ...]:
    return tuple(flag for flag in FOLLOW_UP_FLAGS if flag in score.flags)
