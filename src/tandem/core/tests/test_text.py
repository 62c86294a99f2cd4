"""Invisible and direction-changing characters: what ``core.text`` says about them."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.markdown import render_markdown
from tandem.core.text import (
    SHORT_TEXT_VALIDATORS,
    NoBidiControlsValidator,
    VisibleTextValidator,
    contains_bidi_controls,
    has_visible_text,
    strip_invisible_characters,
    validate_no_bidi_controls,
    validate_visible_text,
    visible_text,
)

# Written out, one by one, as the issue lists them: a narrower table fails here.
INVISIBLE = (
    [chr(c) for c in range(0x200B, 0x2010)]  # zero-width space, joiners, LRM, RLM
    + [chr(c) for c in range(0x2060, 0x2065)]  # word joiner, invisible operators
    + ["\ufeff", "\u00ad", "\u034f"]  # byte order mark, soft hyphen, grapheme joiner
    + ["\u115f", "\u1160", "\u3164", "\uffa0"]  # Hangul fillers
    + ["\u180e"]  # Mongolian vowel separator
    + [chr(c) for c in range(0xFE00, 0xFE10)]  # variation selectors 1-16
    + ["\U000e0100", "\U000e01ef"]  # variation selectors 17 and 256
    + [chr(c) for c in range(0xE0000, 0xE0080)]  # tag characters
    + [chr(c) for c in range(0x202A, 0x202F)]  # embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # isolates
    + ["\u061c", "\u2800"]  # Arabic letter mark, Braille blank
)
BIDI_CONTROLS = (
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
WHITESPACE = [" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u3000", "\u2028"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_each_invisible_character_alone_or_with_spaces_shows_nothing(char: str) -> None:
    assert not has_visible_text(char)
    assert not has_visible_text(f" {char}\n{char * 3}\t")
    assert visible_text(f" {char}\u00a0") == ""
    assert has_visible_text(f"{char}x{char}")


@given(st.text(alphabet=st.sampled_from(INVISIBLE + WHITESPACE), max_size=50))
def test_any_mix_of_invisible_characters_and_spaces_shows_nothing(text: str) -> None:
    assert not has_visible_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "Hello",
        "   ok   ",
        ".",
        "👍",
        "❤\ufe0f",  # an emoji with its presentation selector
        "👩\u200d👩\u200d👧",  # joined with zero-width joiners
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # a flag of tags
        "שלום",
        "مرحبا",
        "你好",
        "\u200bhidden start",
    ],
)
def test_text_people_can_read_is_visible(text: str) -> None:
    assert has_visible_text(text)


def test_visible_text_drops_the_invisible_and_the_outer_spaces() -> None:
    assert visible_text("\u200b  a\u200bb \u2060c\ufeff \n") == "ab c"


@pytest.mark.parametrize("char", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_each_direction_control_is_found(char: str) -> None:
    assert contains_bidi_controls(f"Sleep {char}tips")


@pytest.mark.parametrize("text", ["Sleep tips", "שלום עולם 2024", "مرحبا", "a\u200bb", "x\u00ady"])
def test_right_to_left_writing_itself_is_not_a_control(text: str) -> None:
    assert not contains_bidi_controls(text)


def test_shown_text_loses_overrides_isolates_and_zero_width_but_keeps_marks() -> None:
    text = "a\u202eb\u2066c\u2069d\u200be\u200df\ufeffg\u200eh\u200fi\u061cj"
    assert strip_invisible_characters(text) == "abcdefg\u200eh\u200fi\u061cj"


def test_the_visible_text_validator() -> None:
    validate_visible_text("words")
    with pytest.raises(ValidationError) as refused:
        validate_visible_text("\u200b \u3164")
    assert refused.value.code == "invisible"
    with pytest.raises(ValidationError, match="Say something"):
        VisibleTextValidator("Say something.")("\ufeff")


def test_the_bidi_validator() -> None:
    validate_no_bidi_controls("Sleep tips שלום")
    with pytest.raises(ValidationError) as refused:
        validate_no_bidi_controls("Sleep \u202espit")
    assert refused.value.code == "bidi_controls"
    assert "right-to-left override" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="Retype it"):
        NoBidiControlsValidator("Retype it")("\u2067x\u2069")


def test_validators_compare_equal_so_migrations_can_use_them() -> None:
    assert VisibleTextValidator() == validate_visible_text
    assert VisibleTextValidator("a") != VisibleTextValidator("b")
    assert NoBidiControlsValidator() == validate_no_bidi_controls


class _TitleForm(forms.Form):
    title = forms.CharField(max_length=50, validators=SHORT_TEXT_VALIDATORS)


@pytest.mark.parametrize(
    ("title", "code"),
    [("\u200b\u200b", "invisible"), ("Sleep \u202espit", "bidi_controls"), ("\u2800", "invisible")],
)
def test_a_form_field_refuses_and_keeps_what_was_typed(title: str, code: str) -> None:
    form = _TitleForm({"title": title})
    assert not form.is_valid()
    assert form.has_error("title", code)
    assert form["title"].value() == title


def test_a_form_field_accepts_an_ordinary_title_and_leaves_empty_to_required() -> None:
    assert _TitleForm({"title": "Good days"}).is_valid()
    assert _TitleForm({"title": ""}).has_error("title", "required")


@pytest.mark.parametrize(
    "text",
    ["a &#x202E; b", "a &#8238;b", "&#x2067;x", '[x](https://a.example "&#x202e;t")', "&zwnj;"],
)
def test_rendered_text_cannot_carry_an_override_written_as_a_reference(text: str) -> None:
    html = render_markdown(text)
    assert not any(char in html for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068")
    assert "\u200c" not in html


def test_rendered_text_keeps_direction_marks() -> None:
    assert "\u200f" in render_markdown("שלום &rlm;2024")
