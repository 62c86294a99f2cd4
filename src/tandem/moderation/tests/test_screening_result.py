"""The risk screen's result API, normalisation of hidden words, and languages."""

from __future__ import annotations

import pytest

from tandem.moderation import screening
from tandem.moderation.tests.helpers_screening import _ids

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
