"""The built-in instruments, item and answer texts as published, with their licence notes.

A built-in instrument is code, not data: its texts, its version and its scoring function travel
together, so a stored response names ``(key, version)`` and is always scored by the rules it
was answered under. Change a published text only with a new version. Instruments defined in the
portal (``CustomInstrumentVersion`` rows) become the same ``Instrument`` through
``defined_instrument``; ``catalogue.py`` finds either kind by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from tandem.questionnaires import scoring
from tandem.questionnaires.scoring import Answers, Band, Score


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[Option, ...]
    # Asked but never added to the total (PHQ-9's "how difficult" question).
    scored: bool = True

    @property
    def key(self) -> str:
        return str(self.number)

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    name: str
    stem: str
    items: tuple[Item, ...]
    max_total: int
    higher_is_better: bool
    attribution: str
    scorer: Callable[[Answers], Score]
    # Shaded behind the trend chart; empty for an instrument without bands (QPR-15).
    bands: tuple[Band, ...] = ()
    # Defined in the portal by an organisation or a provider (not a published measure).
    custom: bool = False
    # The language its published texts are in: the built-in ones are shipped in English only
    # (no published bokmål version is included). Empty for a custom one: people write it in
    # the language of their pages.
    language: str = ""

    def text_language_on(self, page_language: str) -> str:
        """The ``lang`` to mark the texts with on a page in ``page_language``: the published
        language when it differs from the page's, else "" (nothing to mark)."""
        if not self.language or page_language.split("-")[0] == self.language:
            return ""
        return self.language

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    def score(self, answers: Answers) -> Score:
        return self.scorer(answers)


FREQUENCY = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)

DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)

WHO5_FREQUENCY = (
    Option(5, "All of the time"),
    Option(4, "Most of the time"),
    Option(3, "More than half of the time"),
    Option(2, "Less than half of the time"),
    Option(1, "Some of the time"),
    Option(0, "At no time"),
)

AGREEMENT = (
    Option(0, "Disagree strongly"),
    Option(1, "Disagree"),
    Option(2, "Neither agree nor disagree"),
    Option(3, "Agree"),
    Option(4, "Agree strongly"),
)


def _items(texts: tuple[str, ...], options: tuple[Option, ...]) -> tuple[Item, ...]:
    return tuple(Item(number, text, options) for number, text in enumerate(texts, start=1))


PHQ9_TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_DIFFICULTY = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
GAD7_TEXTS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
WHO5_TEXTS = (
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
)
QPR15_TEXTS = (
    "I feel better about myself",
    "I feel able to take chances in life",
    "I am able to develop positive relationships with other people",
    "I feel part of society rather than isolated",
    "I am able to assert myself",
    "I feel that my life has a purpose",
    "My experiences have changed me for the better",
    "I have been able to come to terms with things that have happened to me in the past and "
    "move on with my life",
    "I am basically strongly motivated to get better",
    "I can recognise the positive things I have done",
    "I am able to understand myself better",
    "I can take charge of my life",
    "I can actively engage with life",
    "I can take control of aspects of my life",
    "I can find the time to do the things I enjoy",
)

PFIZER_NOTE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)


def _build() -> dict[str, Instrument]:
    phq9_items = (*_items(PHQ9_TEXTS, FREQUENCY), Item(10, PHQ9_DIFFICULTY, DIFFICULTY, False))
    built = (
        Instrument(
            key="phq9",
            version=1,
            title="PHQ-9",
            name="Patient Health Questionnaire (PHQ-9)",
            stem=(
                "Over the last 2 weeks, how often have you been bothered by any of the "
                "following problems?"
            ),
            items=phq9_items,
            max_total=27,
            higher_is_better=False,
            attribution=f"PHQ-9. {PFIZER_NOTE}",
            scorer=scoring.score_phq9,
            bands=scoring.PHQ9_BANDS,
        ),
        Instrument(
            key="gad7",
            version=1,
            title="GAD-7",
            name="Generalised Anxiety Disorder Assessment (GAD-7)",
            stem=(
                "Over the last 2 weeks, how often have you been bothered by the following problems?"
            ),
            items=_items(GAD7_TEXTS, FREQUENCY),
            max_total=21,
            higher_is_better=False,
            attribution=f"GAD-7. {PFIZER_NOTE}",
            scorer=scoring.score_gad7,
            bands=scoring.GAD7_BANDS,
        ),
        Instrument(
            key="who5",
            version=1,
            title="WHO-5",
            name="WHO-5 Wellbeing Index",
            stem=(
                "Please indicate for each of the five statements which is closest to how you "
                "have been feeling over the last two weeks."
            ),
            items=_items(WHO5_TEXTS, WHO5_FREQUENCY),
            max_total=25,
            higher_is_better=True,
            attribution=(
                "WHO-5 Wellbeing Index. © Psychiatric Research Unit, WHO Collaborating Centre "
                "in Mental Health, Frederiksborg General Hospital (now Mental Health Centre "
                "North Zealand). Free to use without permission."
            ),
            scorer=scoring.score_who5,
            bands=scoring.WHO5_BANDS,
        ),
        Instrument(
            key="qpr15",
            version=1,
            title="QPR-15",
            name="Questionnaire about the Process of Recovery (QPR-15)",
            stem=(
                "Please read each statement and choose how much you agree or disagree with it, "
                "thinking about the last 7 days."
            ),
            items=_items(QPR15_TEXTS, AGREEMENT),
            max_total=60,
            higher_is_better=True,
            attribution=(
                "QPR-15: Neil S.T. et al. (2009), Behavioural and Cognitive Psychotherapy "
                "37:145-158; 15-item version Law H. et al. (2014), Social Psychiatry and "
                "Psychiatric Epidemiology 49:1689-1697. Free for non-commercial use with "
                "acknowledgement of the authors."
            ),
            scorer=scoring.score_qpr15,
        ),
    )
    # Every built-in text is the English one, as published.
    return {instrument.key: replace(instrument, language="en") for instrument in built}


INSTRUMENTS: dict[str, Instrument] = _build()


def get_instrument(key: str, version: int | None = None) -> Instrument | None:
    """The instrument ``key`` (at ``version`` when given), or None: unknown keys and versions
    never reach a scorer."""
    instrument = INSTRUMENTS.get(key)
    if instrument is None or (version is not None and version != instrument.version):
        return None
    return instrument


def defined_instrument(
    *,
    key: str,
    version: int,
    title: str,
    stem: str,
    texts: tuple[str, ...],
    options: tuple[Option, ...],
    bands: tuple[Band, ...],
    higher_is_better: bool,
    attribution: str,
) -> Instrument:
    """An instrument from a definition made in the portal: every item offers the same answers,
    the total is their sum, and a band (if any) names the total."""
    top = max(option.value for option in options)
    bottom = min(option.value for option in options)

    def scorer(answers: Answers) -> Score:
        return scoring.score_defined(
            key,
            answers,
            items=len(texts),
            values=frozenset(option.value for option in options),
            bands=bands,
            totals=(bottom * len(texts), top * len(texts)),
            higher_is_better=higher_is_better,
        )

    return Instrument(
        key=key,
        version=version,
        title=title,
        name=title,
        stem=stem,
        items=_items(texts, options),
        max_total=top * len(texts),
        higher_is_better=higher_is_better,
        attribution=attribution,
        scorer=scorer,
        bands=bands,
        custom=True,
    )
