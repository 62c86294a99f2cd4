"""The exercise library: a few short, guided self-help exercises, kept in code.

Practice is stored by slug (``ExercisePractice.exercise``); renaming a slug orphans its log,
so add new exercises rather than renaming old ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: StrOrPromise
    category: StrOrPromise
    summary: StrOrPromise
    minutes: int
    steps: tuple[StrOrPromise, ...]


BREATHING = _("Breathing")
MINDFULNESS = _("Mindfulness")
SLEEP = _("Sleep")

_LIBRARY = (
    Exercise(
        slug="box-breathing",
        title=_("Box breathing"),
        category=BREATHING,
        summary=_("Four even counts in, hold, out, hold. Steadies you when things feel too much."),
        minutes=4,
        steps=(
            _("Sit or stand with your feet on the floor. Drop your shoulders."),
            _("Breathe out slowly through your mouth until your lungs feel empty."),
            _("Breathe in through your nose while you count slowly to four."),
            _("Hold your breath while you count to four."),
            _("Breathe out through your mouth while you count to four."),
            _("Hold again for a count of four."),
            _("Repeat for about four minutes, or until you feel calmer."),
        ),
    ),
    Exercise(
        slug="longer-out-breath",
        title=_("A longer out-breath"),
        category=BREATHING,
        summary=_("Breathing out for longer than you breathe in tells your body to slow down."),
        minutes=3,
        steps=(
            _("Get comfortable and let your breathing settle on its own for a moment."),
            _("Breathe in gently through your nose for a count of four."),
            _("Breathe out slowly through pursed lips for a count of six or seven."),
            _("If the counts feel hard, shorten both; the out-breath just needs to be longer."),
            _("Carry on for ten breaths, then notice how you feel."),
        ),
    ),
    Exercise(
        slug="grounding-5-4-3-2-1",
        title=_("5-4-3-2-1 grounding"),
        category=MINDFULNESS,
        summary=_("Use your senses to come back to the here and now."),
        minutes=5,
        steps=(
            _("Look around and name five things you can see."),
            _("Notice four things you can touch: your clothes, the chair, the floor."),
            _("Listen for three things you can hear."),
            _("Find two things you can smell, or two smells you like."),
            _("Notice one thing you can taste, or take a sip of water."),
            _("Take a slow breath and notice where you are now."),
        ),
    ),
    Exercise(
        slug="body-scan",
        title=_("Short body scan"),
        category=MINDFULNESS,
        summary=_("Move your attention slowly through your body, without trying to change it."),
        minutes=8,
        steps=(
            _("Lie down or sit comfortably. Close your eyes if that feels all right."),
            _("Notice your feet: warmth, cold, pressure, or nothing at all."),
            _("Move your attention up through your legs, your hips and your belly."),
            _("Notice your chest and back, and your breathing, without changing it."),
            _("Move on to your hands, arms, shoulders, neck and face."),
            _("When your mind wanders, notice where it went and kindly come back."),
            _("Finish with a few breaths, feeling your whole body at once."),
        ),
    ),
    Exercise(
        slug="wind-down-routine",
        title=_("A wind-down routine for sleep"),
        category=SLEEP,
        summary=_("Sleep hygiene: a regular, calm hour before bed makes sleep come more easily."),
        minutes=60,
        steps=(
            _("Pick a bedtime and a wake-up time you can keep, also at weekends."),
            _(
                "An hour before bed, dim the lights and put screens away, or turn them to night mode."
            ),
            _(
                "Avoid caffeine after mid-afternoon, and heavy meals or alcohol late in the evening."
            ),
            _("Do something calm: a warm shower, light reading, gentle stretching."),
            _("Write down tomorrow's worries or tasks, so they can wait on paper."),
            _("Keep the bedroom cool, dark and quiet, and use the bed for sleep."),
        ),
    ),
    Exercise(
        slug="cannot-sleep",
        title=_("When you cannot sleep"),
        category=SLEEP,
        summary=_("Sleep hygiene for the middle of the night: what to do instead of lying awake."),
        minutes=20,
        steps=(
            _("If you have been awake for about 20 minutes, get up and go to another room."),
            _("Keep the lights low and do something quiet and dull until you feel sleepy."),
            _("Try the longer out-breath exercise, or a body scan, while sitting comfortably."),
            _("Avoid checking the time again and again; turn the clock away."),
            _("Go back to bed only when you feel sleepy. Get up at your usual time tomorrow."),
        ),
    ),
)

EXERCISES: dict[str, Exercise] = {exercise.slug: exercise for exercise in _LIBRARY}


def all_exercises() -> tuple[Exercise, ...]:
    return _LIBRARY


def get_exercise(slug: str) -> Exercise | None:
    return EXERCISES.get(slug)
