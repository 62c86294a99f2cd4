"""The one place that knows which characters show nothing or turn text around.

People can paste characters that take no room on screen (zero-width spaces, fillers, tag
characters) or that change the direction of what follows them (bidi embeddings, overrides,
isolates and marks). Three things need to know about them, and all ask here:

* :func:`has_visible_text`: a post, message or title of only such characters and spaces is
  empty to a reader, so forms and services refuse it (:class:`VisibleTextValidator`).
* :func:`contains_bidi_controls`: in a single line shown to others (a topic title, a circle's
  name, a subject), a right-to-left override reverses the words after it, on every page that
  lists it, so forms refuse it (:class:`NoBidiControlsValidator`). Refusing, with a message,
  never silently changes what a person typed.
* :func:`strip_invisible_characters`: text shown as HTML (``core.markdown.render_markdown``,
  search excerpts) loses the embeddings, overrides, isolates and zero-width characters, so an
  unbalanced override in one post cannot turn the text after it around.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt): soft hyphen, combining
# grapheme joiner, Arabic letter mark, Hangul fillers, Khmer inherent vowels, Mongolian
# variation selectors and vowel separator, zero-width space/joiners, direction marks,
# embeddings, overrides and isolates, word joiner and invisible operators, variation selectors,
# byte order mark, shorthand format controls, musical format controls and tag characters.
# Then what shows nothing without being ignorable: C0/C1 controls other than line breaks and
# tabs, and the Braille blank, the usual trick for an "empty" name.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    r"\x00-\x08\x0e-\x1f\x7f-\x9f\u2800]"
)

# Characters that change the direction of the text after them: embeddings and overrides
# (U+202A-U+202E), isolates (U+2066-U+2069) and the marks (LRM, RLM, ALM).
_BIDI_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# What shown text loses (see strip_invisible_characters). Direction marks stay: they cannot
# reverse anything, and people writing Arabic or Hebrew among numbers and Latin words need
# them. Joiners other than U+200D, variation selectors and tag characters stay too: emoji
# and flags are made of them.
_STRIPPED_WHEN_SHOWN = str.maketrans(
    dict.fromkeys(
        [chr(c) for c in range(0x202A, 0x202F)]
        + [chr(c) for c in range(0x2066, 0x206A)]
        + [chr(c) for c in range(0x200B, 0x200E)]
        + ["\ufeff"]
    )
)


def visible_text(text: str) -> str:
    """``text`` without the characters that show nothing, and without outer whitespace."""
    return _INVISIBLE.sub("", text).strip()


def has_visible_text(text: str) -> bool:
    """Whether a reader would see anything of ``text``."""
    return bool(visible_text(text))


def contains_bidi_controls(text: str) -> bool:
    """Whether ``text`` holds a character that changes the direction of the text after it."""
    return _BIDI_CONTROLS.search(text) is not None


def strip_invisible_characters(text: str) -> str:
    """``text`` without bidi embeddings, overrides and isolates, zero-width spaces and joiners
    and byte order marks: what text shown as HTML must not carry (Trojan Source, words hidden
    from moderators' searches, disguised links). Removing U+200D also splits joined emoji
    into their parts, a small price for that."""
    return text.translate(_STRIPPED_WHEN_SHOWN)


@deconstructible
class VisibleTextValidator:
    """Refuse text in which a reader would see nothing (only spaces and invisible characters).

    Empty text never reaches a field's validators: ``required`` (or the service) speaks to it.
    """

    message: StrOrPromise = _(
        "Write something people can read: spaces and invisible characters on their own show "
        "nothing."
    )
    code = "invisible"

    def __init__(self, message: StrOrPromise | None = None) -> None:
        if message is not None:
            self.message = message

    def __call__(self, value: str) -> None:
        if not has_visible_text(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VisibleTextValidator) and self.message == other.message


@deconstructible
class NoBidiControlsValidator:
    """Refuse hidden direction characters in a single line shown to others (titles, names)."""

    message: StrOrPromise = _(
        "This has hidden characters that change the direction of text (such as a "
        "right-to-left override), which can make the words after them read backwards. Type it "
        "again rather than pasting it."
    )
    code = "bidi_controls"

    def __init__(self, message: StrOrPromise | None = None) -> None:
        if message is not None:
            self.message = message

    def __call__(self, value: str) -> None:
        if contains_bidi_controls(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoBidiControlsValidator) and self.message == other.message


validate_visible_text = VisibleTextValidator()
validate_no_bidi_controls = NoBidiControlsValidator()

# A title or name typed by a person and shown to others on one line.
SHORT_TEXT_VALIDATORS: list[Callable[[str], None]] = [
    validate_visible_text,
    validate_no_bidi_controls,
]
