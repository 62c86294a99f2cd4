"""The risk screen: every rule with positive and negative examples, labelled sentences by kind
of risk, the result API, normalisation, languages, and what bad rule data does."""

from __future__ import annotations

import random
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tandem.moderation import screening

DATA = Path(__file__).parent / "data"


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = tomllib.loads((DATA / name).read_text(encoding="utf-8"))["case"]
    return cases


RULE_CASES = {"en": _cases("screening_en.toml"), "nb": _cases("screening_nb.toml")}
LABELLED = _cases("screening_cases.toml")
RULES = [
    (language, rule.id)
    for language in ("en", "nb")
    for rule in screening.load_rules(language).rules
]


def _ids(text: str, language: str | None = None) -> set[str]:
    """The rules (not the statistical second reader) that fire on ``text``."""
    return {rule.id for rule in screening.screen(text, language, use_model=False).fired}


# --- Every rule, by the sentences that must and must not fire it --------------------------


def test_the_labelled_files_have_enough_sentences() -> None:
    assert len(RULE_CASES["en"]) >= 60
    assert sum(1 for case in RULE_CASES["en"] if not case["fires"]) >= 25
    assert len(RULE_CASES["nb"]) >= 30
    labels = {case["label"] for case in LABELLED}
    assert labels == {"imminent", "concern", "ordinary", "privacy"}
    assert len(LABELLED) >= 500


@pytest.mark.parametrize(
    ("language", "case"),
    [(language, case) for language, cases in RULE_CASES.items() for case in cases],
    ids=[
        f"{language}:{case['text'][:40]}"
        for language, cases in RULE_CASES.items()
        for case in cases
    ],
)
def test_each_labelled_sentence_fires_exactly_its_rules(
    language: str, case: dict[str, Any]
) -> None:
    assert _ids(case["text"], language) == set(case["fires"]), case["text"]


@pytest.mark.parametrize(
    ("language", "rule_id"), RULES, ids=[f"{lang}:{rid}" for lang, rid in RULES]
)
def test_every_rule_has_a_positive_and_a_negative_example(language: str, rule_id: str) -> None:
    cases = RULE_CASES[language]
    assert [case for case in cases if rule_id in case["fires"]], f"no sentence fires {rule_id}"
    assert [case for case in cases if rule_id not in case["fires"]]


# --- Sentences by kind of risk ------------------------------------------------------------


@pytest.mark.parametrize("case", LABELLED, ids=[f"{c['label']}:{c['text'][:40]}" for c in LABELLED])
def test_sentences_by_kind_of_risk(case: dict[str, Any]) -> None:
    """Imminent risk is held with crisis resources; a concern reaches a moderator or shows a
    reminder but is never held as high risk; ordinary posts are published unflagged (a
    reminder is allowed); identifying details are held without crisis resources."""
    result = screening.screen(case["text"])
    why = [(rule.id, found) for rule, found in screening.explain(case["text"])]
    label = case["label"]
    if label == "imminent":
        assert result.is_high and result.decision == "hold", why
    elif label == "concern":
        assert result.level is not None and not result.is_high, why
    elif label == "ordinary":
        assert result.decision == "pass", why
    else:
        assert result.decision == "hold" and not result.is_high, why


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a coffee",
        "this exam is killing me",
        "I'm dying to see that film",
        "this traffic is killing me",
        "I could murder a coffee",
        "my feet are killing me",
        "my phone battery died",
        "I nearly died laughing",
        "that concert was to die for",
        "We play bridge on Thursdays",
        "spent the morning hanging a picture",
        "my mum will kill me if I'm late lol",
        "denne trafikken dreper meg",
        "jeg ler meg ihjel",
    ],
)
def test_common_figures_of_speech_never_fire(text: str) -> None:
    assert screening.screen(text).fired == ()


@pytest.mark.parametrize(
    ("text", "high"),
    [
        ("I'm not going to kill myself", False),
        ("I would never take my own life", False),
        ("I don't want to die", False),
        ("not thinking about killing myself at all", False),
        ("I'm not okay, I want to kill myself", True),
        ("I can't stop thinking about killing myself", True),
        ("I'm not sure I won't kill myself tonight", True),
        ("No one knows I want to die", True),
        ("I'm not joking, I'm going to kill myself", True),
    ],
)
def test_negation_cancels_only_what_it_negates(text: str, high: bool) -> None:
    assert screening.screen(text).is_high is high


def test_the_past_turns_a_hold_into_a_reminder() -> None:
    result = screening.screen("I tried to kill myself when I was 17.", use_model=False)
    assert result.level == "remind" and result.reminds
    # The second reader may put it in front of a moderator, but it is never held.
    assert not screening.screen("I tried to kill myself when I was 17.").holds
    assert screening.screen("I tried to kill myself tonight.").is_high


def test_a_quotation_from_a_film_or_song_is_not_held() -> None:
    assert not screening.screen("In the film he says he will end it all tonight").holds
    assert screening.screen("I will end it all tonight").is_high


# --- The result ---------------------------------------------------------------------------


def test_the_strongest_level_decides() -> None:
    result = screening.screen("I self-harm and I want to kill myself")
    assert result.level == "high"
    assert result.is_high and result.holds and not result.reminds
    assert result.fired[0].level == "high"
    levels = [screening.LEVEL_ORDER[rule.level] for rule in result.fired]
    assert levels == sorted(levels, reverse=True)


@pytest.mark.parametrize(
    ("text", "decision", "level"),
    [
        ("I'm going to kill myself tonight", "hold", "high"),
        ("email me at sam@example.org", "hold", "hold"),
        ("I feel like such a burden", "flag", "flag"),
        ("I used to self-harm", "pass", "remind"),
        ("I went for a walk today", "pass", None),
    ],
)
def test_each_level_has_its_decision(text: str, decision: str, level: str | None) -> None:
    result = screening.screen(text)
    assert (result.decision, result.level) == (decision, level)
    assert result.flags is (level == "flag")


def test_reasons_are_the_labels_of_the_rules_that_fired_strongest_first() -> None:
    result = screening.screen("I feel like such a burden. I used to self-harm.")
    assert [rule.id for rule in result.fired] == ["burden", "self_harm_talk"]
    assert result.reasons == tuple(rule.label for rule in result.fired)
    # Flagged, and the author still sees the safe-messaging reminder.
    assert result.decision == "flag" and result.reminds and result.needs_guidance


def test_a_reminder_rule_alone_publishes_with_a_reminder() -> None:
    result = screening.screen("I used to self-harm")
    assert result.level == "remind"
    assert result.reminds and not result.holds and result.decision == "pass"


def test_identifying_details_hold_without_crisis_resources() -> None:
    result = screening.screen("email me at sam@example.org")
    assert result.level == "hold"
    assert result.holds and not result.is_high


def test_explain_names_the_words_that_made_each_rule_fire() -> None:
    found = {rule.id: why for rule, why in screening.explain("I'm going to kill myself")}
    assert found["suicide_intent"] == "kill myself"
    phone = {rule.id: why for rule, why in screening.explain("call 07700 900123")}
    assert phone["phone_number"] == "pattern"


# --- Normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "read_as"),
    [
        ("e n d  m y  l i f e", "end my life"),
        ("i w a n t  t o  d i e", "i want to die"),
        ("k.i.l.l myself", "kill myself"),
        ("k1ll mys3lf", "kill myself"),
        ("I WANT TO DIEEEE", "i want to die"),
        ("sooo tired", "so tired"),
        ("gonnnaa be gonnne by tomorrrowww", "going to be gone by tomorrow"),
        ("byeeee alll", "bye all"),
        ("self-delete", "self delete"),
        ("wrote the ltrs", "wrote the letters"),
        ("$uicide", "suicide"),
        ("su!c!de", "suicide"),
        ("k\u200bill my\u200dself", "kill myself"),
        ("\u202ekill myself", "kill myself"),
        ("\uff4b\uff49\uff4c\uff4c myself", "kill myself"),
        ("tonite", "tonight"),
        ("2nite", "tonight"),
        ("2moro", "tomorrow"),
        ("I\u2019m", "im"),
        ("I'm gonna", "im going to"),
        ("wanna", "want to"),
        ("kms", "kill myself"),
        ("unalive myself", "kill myself"),
        ("sewerslide", "suicide"),
        ("ctb", "kill myself"),
        ("at 3am", "at 3 am"),
        ("end. my. life.", "end my life"),
        ("ikveld", "i kveld"),
    ],
)
def test_normalisation_undoes_what_hides_a_word(raw: str, read_as: str) -> None:
    assert read_as in screening.normalise(raw)


def test_normalisation_leaves_numbers_handles_and_sentences_alone() -> None:
    assert (
        screening.normalise("@Otter thanks! See you in 2024.") == "otter thanks . see you in 2024"
    )
    assert screening.normalise("I'm fine, but tired.") == "im fine , but tired"


def test_privacy_rules_read_digits_as_typed() -> None:
    # Leetspeak would read "0" as "o": the phone rule sees the light form, digits intact.
    assert "phone_number" in _ids("text me on 07700 900123")
    assert "phone_number" not in _ids("The Samaritans are on 116 123")


@pytest.mark.parametrize(
    "text",
    ["I want to k1ll myself", "i w a n t  t o  d i e", "gonna kms tonite", "i wnat to dye"],
)
def test_obfuscated_risk_is_still_held(text: str) -> None:
    assert screening.screen(text).is_high


# --- Languages ----------------------------------------------------------------------------


def test_every_language_runs_when_none_is_given_and_the_strongest_rule_names_it() -> None:
    assert screening.available_languages() == ("en", "nb")
    result = screening.screen("jeg vil ta livet mitt i kveld")
    assert result.is_high and result.language == "nb"
    assert {rule.language for rule in result.fired} == {"nb"}
    mixed = screening.screen("I can't do this anymore, jeg skal ta livet mitt i kveld")
    assert mixed.is_high
    assert screening.screen("What a lovely day").language == "en"


def test_a_language_limits_the_screen_to_its_rules() -> None:
    # The rules only: the statistical second reader reads every language it was trained on.
    assert not screening.screen("jeg vil ta livet mitt i kveld", "en", use_model=False).is_high
    assert screening.screen("jeg vil ta livet mitt i kveld", "nb", use_model=False).is_high
    assert not screening.screen("I want to kill myself", "nb", use_model=False).is_high


def test_one_decision_per_rule_id_when_languages_share_it() -> None:
    fired = [rule.id for rule in screening.screen("mail me: sam@example.org").fired]
    assert fired.count("email_address") == 1


def test_norwegian_matches_with_and_without_special_letters() -> None:
    assert screening.screen("jeg vil dø").is_high
    assert screening.screen("jeg vil do").is_high
    assert screening.screen("nar alle har lagt seg skal jeg gjore det").is_high


def test_rules_load_once_and_unknown_languages_fall_back_to_english() -> None:
    assert screening.load_rules("en") is screening.load_rules("en")
    assert screening.load_rules("xx").language == "en"


def test_rule_labels_prefer_english_for_shared_ids() -> None:
    labels = screening.rule_labels()
    assert labels["suicide_intent"] == screening.load_rules("en").by_id()["suicide_intent"].label
    assert {"suicide_intent", "time_plan", "passive_ideation", "phone_number"} <= set(labels)


def test_draft_guidance_shows_for_self_harm_and_suicide_only() -> None:
    assert screening.needs_guidance("I cut myself last night")
    assert screening.needs_guidance("thinking about suicide")
    assert screening.needs_guidance("sometimes I wish I was dead")
    assert not screening.needs_guidance("call me on 07700 900123")
    assert not screening.needs_guidance("nothing is ever going to get better")
    assert not screening.needs_guidance("")


# --- Cost and robustness ------------------------------------------------------------------


def test_the_forum_bench_vocabulary_fires_nothing() -> None:
    """bench.forum_seed generates posts from the peer seed's words and stops if a rule fires."""
    from bench.forum_seed import make_text

    rng = random.Random(5)
    fired = {rule.id for _ in range(300) for rule in screening.screen(make_text(rng, 400)).fired}
    assert fired == set()


def test_a_pathological_text_stays_cheap() -> None:
    screening.screen("warm up")
    start = time.perf_counter()
    screening.screen("i want to going to tonight not never " * 60)
    screening.screen("a " * 1000)
    assert time.perf_counter() - start < 2


# --- Bad rule data fails loudly -----------------------------------------------------------

_LEXICON = 'language = "zz"\n[spelling]\ntonite = "tonight"\n[classes]\nsad = ["so sad"]\n'
_RULE = 'id = "x"\ncategory = "suicide"\nlevel = "flag"\nlabel = "x"\n'


@pytest.mark.parametrize(
    ("rules", "lexicon", "message"),
    [
        (_RULE.replace("flag", "loud") + 'phrases = ["x"]\n', _LEXICON, "unknown level"),
        (_RULE.replace("suicide", "mood") + 'phrases = ["x"]\n', _LEXICON, "unknown category"),
        (_RULE + 'phrase = ["x"]\n', _LEXICON, "unknown keys"),
        (_RULE, _LEXICON, "no phrases, patterns or combinations"),
        (_RULE + '[[rules.when]]\nall = ["sadd"]\n', _LEXICON, "unknown classes"),
        (_RULE + '[[rules.when]]\nall = ["sad"]\nscope = "page"\n', _LEXICON, "scope must be"),
        (_RULE + '[[rules.when]]\nal = ["sad"]\n', _LEXICON, "unknown keys"),
        (_RULE + 'phrases = ["(so|very sad"]\n', _LEXICON, "unbalanced"),
        (_RULE + 'phrases = ["ki* me"]\n', _LEXICON, "three letters"),
        (_RULE + 'phrases = ["~2 sad"]\n', _LEXICON, "start and end with a word"),
        (_RULE + "patterns = ['(unclosed']\n", _LEXICON, "bad pattern"),
        (_RULE + 'phrases = ["x"]\n[[rules]]\n' + _RULE + 'phrases = ["y"]\n', _LEXICON, "twice"),
        (_RULE + 'phrases = ["sad tonite"]\n', _LEXICON, "spelling table rewrites"),
        (_RULE + 'phrases = ["x"]\n', _LEXICON.replace('["so sad"]', "[]"), "has no terms"),
        (_RULE + 'phrases = ["x"]\n', "language = ", "zz"),
    ],
)
def test_bad_rule_data_is_refused_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str, lexicon: str, message: str
) -> None:
    (tmp_path / "rules_zz.toml").write_text(f'language = "zz"\n[[rules]]\n{rules}')
    (tmp_path / "lexicon_zz.toml").write_text(lexicon)
    monkeypatch.setattr(screening, "DATA_DIR", tmp_path)
    screening.load_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            screening.screen("so sad tonight", "zz")
    finally:
        monkeypatch.undo()
        screening.load_rules.cache_clear()


# --- Clause-scoped cancellation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "high"),
    [
        # The past in the clause of the risk words still cancels...
        ("I tried to kill myself when I was 17.", False),
        ("years ago I wanted to kill myself", False),
        # ...but not risk words in another clause that says now or soon.
        ("Years ago I tried, but tonight I'm going to kill myself", True),
        ("I used to self-harm, now I want to kill myself tonight", True),
        ("this exam is killing me, and tonight I'm going to end my life", True),
        # A quotation still cancels its whole sentence: it is about what the sentence says.
        ("In the film he says he will end it all tonight", False),
    ],
)
def test_cancelling_words_are_scoped_to_the_clause_of_the_risk_words(text: str, high: bool) -> None:
    assert screening.screen(text, use_model=False).is_high is high, screening.explain(text)


# --- The statistical second reader --------------------------------------------------------


def test_the_model_is_loaded_once_and_shipped_small() -> None:
    assert screening.load_model_once() is screening.load_model_once()
    assert screening.MODEL_PATH.stat().st_size < 1_000_000


def test_the_model_rules_have_their_own_ids_and_labels() -> None:
    labels = screening.rule_labels()
    assert labels["model_risk"] == "The wording resembles posts that described risk"
    assert "model_imminent" in labels
    assert screening.MODEL_RULES["flag"].level == "flag"
    assert screening.MODEL_RULES["high"].level == "high"


def _with_model(monkeypatch: pytest.MonkeyPatch, risk: float, imminent: float) -> None:
    """Make the second reader say ``risk`` and ``imminent`` for every text."""
    model = screening.load_model_once()
    monkeypatch.setattr(
        type(model), "probabilities", lambda self, *args, **kwargs: (risk, imminent)
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill myself tonight",  # high
        "email me at sam@example.org",  # hold
        "I feel like such a burden",  # flag
        "I used to self-harm",  # remind
        "I went for a walk today",  # nothing
        "In the film he says he will end it all tonight",
    ],
)
def test_the_model_never_lowers_what_the_rules_decided(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    rules = screening.screen(text, use_model=False)
    _with_model(monkeypatch, 0.0, 0.0)
    both = screening.screen(text)
    assert both.fired == rules.fired
    assert both.level == rules.level and both.decision == rules.decision


def test_the_model_can_raise_to_flag_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Soon. Probably this weekend. I just need the flat to myself."
    assert not screening.screen(text, use_model=False).flags
    _with_model(monkeypatch, 0.99, 0.0)
    result = screening.screen(text)
    assert result.decision in {"flag", "hold"}
    assert "model_risk" in {rule.id for rule in result.fired} or result.is_high
    plain = screening.screen("I went for a walk today")
    assert [rule.id for rule in plain.fired] == ["model_risk"]
    assert plain.decision == "flag" and plain.reasons == (
        "The wording resembles posts that described risk",
    )


def test_a_confident_model_holds_unless_the_rules_read_past_film_or_joke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_model(monkeypatch, 0.99, 0.99)
    # A confident second reader holds on its own: missing imminent risk is the worse mistake.
    result = screening.screen("I went for a walk today")
    assert result.is_high
    assert [rule.id for rule in result.fired] == ["model_imminent"]
    # It does not overrule the past or a film: no hold, no flag over a reminder.
    assert screening.screen("I used to self-harm").level == "remind"
    assert not screening.screen("In the film he says he will end it all tonight").holds
    # Below its threshold it holds nothing.
    _with_model(monkeypatch, 0.99, 0.0)
    assert screening.screen("I went for a walk today").level == "flag"


def test_a_broken_model_file_fails_loudly_at_load(tmp_path: Path) -> None:
    from tandem.moderation.screening.model import load_model

    bad = tmp_path / "screen_model.json"
    for content in (
        "{not json",
        '{"format": "something else"}',
        '{"format": "tandem-screen-model/1", "cancel_classes": [],'
        ' "heads": {"risk": {"bias": 0, "threshold": 0.5, "weights": {"w:x": "heavy"}},'
        ' "imminent": {"bias": 0, "threshold": 0.5, "weights": {"w:x": 1}}}}',
        '{"format": "tandem-screen-model/1", "cancel_classes": [],'
        ' "heads": {"risk": {"bias": 0, "threshold": 1.5, "weights": {"w:x": 1}}}}',
    ):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(screening.LexiconError):
            load_model(bad)
    with pytest.raises(screening.LexiconError):
        load_model(tmp_path / "missing.json")
