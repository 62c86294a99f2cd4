"""Normalise a text before the screen reads it.

Two forms are made. The *light* form (lower case, NFKC, no invisible characters, straight
quotes) keeps digits and punctuation as typed: the privacy rules need phone numbers, times and
email addresses intact. The *word* form is a list of tokens in which the ways people write
around a filter or in a hurry are undone: letter-spacing ("e n d  m y  l i f e", "k.i.l.l"),
leetspeak ("k1ll", "$uicide"), stretched letters ("dieeee"), missing apostrophes (the screen
drops all apostrophes, so "i'm" and "im" are the same token) and common misspellings and
slang (``[spelling]`` in each ``lexicon_<language>.toml``).

Leetspeak and stretched letters are undone only when the result is a word some lexicon knows,
so "@otter", "2024" and "11pm" are left alone.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Zero-width and bidirectional control characters: invisible, and used to split a word so a
# filter misses it. The soft hyphen is invisible too.
_INVISIBLE = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_INVISIBLE += "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_TABLE: dict[int, str | None] = dict.fromkeys(map(ord, _INVISIBLE))
_TABLE.update({ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9`\u00b4"})
_TABLE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
# A few pictures stand for words people would otherwise type.
_TABLE.update({ord(c): " lol " for c in "\U0001f602\U0001f923\U0001f606\U0001f639"})
_TABLE.update({0x1F48A: " pills ", 0x1F52A: " knife ", 0x1FAA2: " rope ", 0x1FA78: " blood "})
_TABLE.update({0x1F309: " bridge ", 0x26B0: " coffin ", 0x1FAA6: " grave "})

# Sentences end at . ! ? and new lines; clauses at , ; : brackets, quotes and dashes. Digits
# are word characters, so "k1ll" and "2nite" stay one token; apostrophes inside a word are
# kept and dropped later.
_SENTENCE_END = re.compile(r"[.!?\n\u2026]+")
_CLAUSE_MARK = re.compile(r"[,;:()\"\u2014\u2013]+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Words that open a new clause: "I'm not okay but I want to die" is two claims.
_CLAUSE_WORDS = frozenset({"but", "men", "although", "though", "however", "except"})

# Three or more single letters or digits separated by spaces or dots: "e n d  m y  l i f e",
# "k.i.l.l". Runs of two (e.g. "i.e.") are left alone.
# Cheap tests that say whether the slower substitutions can have anything to do.
_SPACED_HINT = re.compile(
    r"[ .\-_*\u00b7\u2022/][^\W_][ .\-_*\u00b7\u2022/]{1,3}[^\W_][ .\-_*\u00b7\u2022/]"
)
_SYMBOL_HINT = re.compile(r"[@$!|*+\u20ac][^\W_]")
_WHITESPACE = re.compile(r"(\s+)")
_SPACED = re.compile(r"(?<![^\W_])[^\W_](?:[ .\-_*\u00b7\u2022/]{1,3}[^\W_]){2,}(?![^\W_])")
_WIDE_GAP = re.compile(r"\s{2,}| ?/ ?")
_SPACED_SEPARATORS = re.compile(r"[ .\-_*\u00b7\u2022/]+")

# A symbol inside or at the start of a word: "su!c!de", "$uicide", "k*ll".
_SYMBOL_WORD = re.compile(r"(?<!\S)[^\s]*?[^\W_][@$!|*+\u20ac][^\s]*|(?<!\S)[@$][^\W_][^\s]*")
_EDGE_PUNCT = "\"'.,;:?!()[]"
_LEET: dict[str, tuple[str, ...]] = {
    "1": ("i", "l"), "3": ("e",), "0": ("o",), "4": ("a",), "5": ("s",), "7": ("t",),
    "9": ("g",), "8": ("b",), "@": ("a",), "$": ("s",), "!": ("i", "l"), "|": ("l", "i"),
    "+": ("t",), "\u20ac": ("e",), "*": ("i", "u", "e", "a", "o"),
}  # fmt: skip
_LEET_CHARS = re.compile("[" + re.escape("".join(_LEET)) + "]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
# A number run into its unit: "3am", "11pm", "30mg", "9th".
_NUMBER_UNIT = re.compile(r"(\d+)(am|pm|mg|ml|g|th|st|nd|rd|x|hrs|hr|h|mins|min)")
_MAX_VARIANTS = 64


def light(text: str) -> str:
    """Return ``text`` lower-cased, NFKC-normalised, without invisible characters and with
    straight quotes: the form the privacy patterns read."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE).lower()


@dataclass(frozen=True, slots=True)
class Doc:
    """A text as the lexicons read it: tokens with the sentence and clause each belongs to."""

    tokens: tuple[str, ...]
    sentence: tuple[int, ...]
    clause: tuple[int, ...]

    def text(self) -> str:
        """Return the tokens as one string, with "." between sentences and "," between
        clauses (for people reading what the screen saw)."""
        out: list[str] = []
        for i, token in enumerate(self.tokens):
            if i and self.sentence[i] != self.sentence[i - 1]:
                out.append(".")
            elif i and self.clause[i] != self.clause[i - 1]:
                out.append(",")
            out.append(token)
        return " ".join(out)


class Normaliser:
    """Turn texts into :class:`Doc`s, knowing the words of the lexicons in use.

    ``vocabulary`` holds every word a lexicon term can match and ``stems`` the prefixes
    (``suicid*``); ``spelling`` maps a token to the tokens it stands for ("tonite" ->
    "tonight", "kms" -> "kill myself").
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        stems: Iterable[str],
        spelling: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.spelling = dict(spelling)
        self.vocabulary = frozenset(vocabulary) | frozenset(
            word for words in self.spelling.values() for word in words
        )
        self.stems = tuple(sorted(set(stems)))
        self._segmentable = self.vocabulary | frozenset(self.spelling)
        self._longest = max((len(word) for word in self._segmentable), default=1)
        self._cache: dict[str, tuple[str, ...]] = {}

    def known(self, word: str) -> bool:
        """Whether ``word`` is one a lexicon can use."""
        return word in self.vocabulary or word in self.spelling or word.startswith(self.stems)

    def doc(self, text: str) -> Doc:
        """Return the tokens of ``text`` (already in its light form)."""
        if _SPACED_HINT.search(" " + text + " "):
            text = _SPACED.sub(self._join_spaced, text)
        if _SYMBOL_HINT.search(text):
            # Only the whitespace-separated chunks with a symbol in them are decoded.
            text = "".join(
                _SYMBOL_WORD.sub(self._decode_symbols, chunk)
                if _SYMBOL_HINT.search(chunk)
                else chunk
                for chunk in _WHITESPACE.split(text)
            )
        tokens: list[str] = []
        sentences: list[int] = []
        clauses: list[int] = []
        sentence = clause = 0
        cache, fix = self._cache, self.fix
        single = 0  # one-word sentences in a row: "end. my. life." is one sentence
        for sentence_text in _SENTENCE_END.split(text):
            for clause_text in _CLAUSE_MARK.split(sentence_text):
                opened = False
                for word in _WORD.findall(clause_text):
                    for token in cache.get(word) or fix(word):
                        if opened and token in _CLAUSE_WORDS:
                            clause += 1
                        tokens.append(token)
                        sentences.append(sentence)
                        clauses.append(clause)
                        opened = True
                if opened:
                    clause += 1
            if tokens and sentences[-1] == sentence:
                if len(tokens) > 1 and sentences[-2] == sentence:
                    single = 0
                else:
                    single += 1
                    if single > 1:
                        # Re-join this word to the one-word sentence before it.
                        sentences[-1] -= 1
                        clauses[-1] = clauses[-2]
                        sentence -= 1
                sentence += 1
        return Doc(tuple(tokens), tuple(sentences), tuple(clauses))

    def fix(self, word: str) -> tuple[str, ...]:
        """Return the tokens ``word`` stands for (usually itself), remembering the answer."""
        known = self._cache.get(word)
        if known is None:
            known = self._fix(word)
            if len(self._cache) < 100_000:
                self._cache[word] = known
        return known

    def _fix(self, word: str) -> tuple[str, ...]:
        word = word.replace("'", "")
        if word in self.spelling:
            return self.spelling[word]
        if _DIGIT.search(word) and _LETTER.search(word):
            unit = _NUMBER_UNIT.fullmatch(word)
            if unit:
                return unit.group(1), unit.group(2)
            word = self._best(word, _leet_variants(word))
        if _STRETCH.search(word):
            word = self._best(_STRETCH.sub(r"\1", word), _stretch_variants(word))
        # A dropped "g" ("killin", "thinkin", "cuttin"): only when the word with it is one
        # some lexicon knows and the word as typed is not.
        if (
            len(word) > 4
            and word.endswith("in")
            and word not in self.vocabulary
            and word + "g" in self.vocabulary
        ):
            word += "g"
        return self.spelling.get(word, (word,))

    def _best(self, fallback: str, variants: Iterable[str]) -> str:
        for variant in itertools.islice(variants, _MAX_VARIANTS):
            if self.known(variant):
                return variant
        return fallback

    def _decode_symbols(self, found: re.Match[str]) -> str:
        chunk = found.group()
        core = chunk.strip(_EDGE_PUNCT)
        if not core or not _LEET_CHARS.search(core):
            return chunk
        for variant in itertools.islice(_leet_variants(core), _MAX_VARIANTS):
            if self.known(variant):
                start = chunk.index(core)
                return chunk[:start] + variant + chunk[start + len(core) :]
        return chunk

    def _join_spaced(self, found: re.Match[str]) -> str:
        run = found.group()
        # Wide gaps between groups of letters mark the words: "e n d  m y  l i f e".
        groups = [_SPACED_SEPARATORS.sub("", part) for part in _WIDE_GAP.split(run) if part]
        if len(groups) > 1 and all(len(group) > 1 or group in ("i", "a") for group in groups):
            # "i w a n t  t o" has no wide gap after the "i": split each group too.
            spelled = [" ".join(self._segment(group) or [group]) for group in groups]
            return " " + " ".join(spelled) + " "
        words = self._segment("".join(groups))
        if words is not None:
            return " " + " ".join(words) + " "
        # Letters that make no known words: leave them, they may be initials or a number.
        return run

    def _segment(self, letters: str) -> list[str] | None:
        """Split ``letters`` into the fewest known words, or ``None`` when it cannot be done.
        Between splits into as many words, prefer fewer short words (the larger sum of squared
        lengths: "to kill", not "tok ill"), then the one whose first different word is longer
        ("endittonight" is "end it tonight", not "en dit tonight")."""
        if len(letters) > 80:
            return None
        best: list[list[str] | None] = [None] * (len(letters) + 1)
        score: list[tuple[int, int]] = [(0, 0)] * (len(letters) + 1)  # (words, -sum of squares)
        best[0] = []
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                before = best[start]
                piece = letters[start:end]
                if before is not None and piece in self._segmentable:
                    words, squares = score[start]
                    mine = (words + 1, squares - len(piece) ** 2)
                    current = best[end]
                    if (
                        current is None
                        or mine < score[end]
                        or (mine == score[end] and _longer_first([*before, piece], current))
                    ):
                        best[end] = [*before, piece]
                        score[end] = mine
        return best[len(letters)]


def _longer_first(candidate: list[str], current: list[str]) -> bool:
    """Whether the first word in which two splits differ is longer in ``candidate``."""
    for new, old in zip(candidate, current, strict=True):
        if new != old:
            return len(new) > len(old)
    return False


def _leet_variants(word: str) -> Iterable[str]:
    """Yield readings of ``word`` with its look-alike digits and symbols as letters."""
    options = [_LEET.get(char, (char,)) for char in word]
    for letters in itertools.product(*options):
        yield "".join(letters)


def _stretch_variants(word: str) -> Iterable[str]:
    """Yield readings of ``word`` with each stretched letter once or twice ("sooo" -> "so",
    "tooo" -> "too"), and each doubled letter as typed or once: someone who stretches one
    letter often doubles another ("gonnnaa" -> "gonna", "gonnnee" -> "gone")."""
    options: list[tuple[str, ...]] = []
    for letter, run in itertools.groupby(word):
        size = len(list(run))
        if size > 2:
            options.append((letter, letter * 2))
        elif size == 2:
            options.append((letter * 2, letter))
        else:
            options.append((letter,))
    for pieces in itertools.product(*options):
        yield "".join(pieces)
