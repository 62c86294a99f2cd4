"""Lexicons: named classes of terms (``data/lexicon_<language>.toml``) and the matcher that
finds every term of every class in a text in one pass over its tokens.

A term is a short sequence of words written as people write them. The syntax:

* ``want to die`` - words in order, whole words, any case, apostrophes ignored;
* ``(going|planning) to`` - one of several words or phrases; ``(really |)`` is optional;
* ``pills/tablets/meds`` - one of several single words at that place (cheaper than a group);
* ``suicid*`` - any word starting with ``suicid`` (at least three letters before the ``*``);
* ``~2`` - up to two words of anything (never across a sentence);
* ``#`` - any number written in digits; ``#10`` - a number of at least 10 ("took 30 pills");
* ``$`` - the end of a sentence (last in a term): ``going to jump $``;
* Norwegian letters match with and without them: ``dø`` matches "dø", "do" and "doe".

Terms are expanded and compiled once per process. Matching indexes terms by their first word,
so the cost grows with the length of the text, not with the number of terms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tandem.moderation.screening.normaliser import Doc

MAX_EXPANSIONS = 4000
_GROUP = re.compile(r"\(([^()]*)\)")
_GAP = re.compile(r"~(\d)")
_NUMBER = re.compile(r"#(\d*)")
_PLAIN_WORD = re.compile(r"[\w'*]+")
# Norwegian letters as people type them without a Norwegian keyboard.
_FOLDS = {"æ": ("æ", "ae", "a"), "ø": ("ø", "o", "oe"), "å": ("å", "a", "aa"), "é": ("é", "e")}


class LexiconError(ValueError):
    """Rule or lexicon data that cannot be used; raised at load time, never while screening."""


@dataclass(frozen=True, slots=True)
class Step:
    """One place in a term: a set of words, word prefixes, or a gap of up to ``gap`` words."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    gap: int = 0
    at_least: int | None = None  # a number step: the smallest number it accepts
    end: bool = False  # the end of a sentence (matches no token)

    def accepts(self, token: str) -> bool:
        if token in self.words or (bool(self.prefixes) and token.startswith(self.prefixes)):
            return True
        return self.at_least is not None and token.isdigit() and int(token) >= self.at_least


@dataclass(frozen=True, slots=True)
class Term:
    key: str  # "<language>:<class>"
    steps: tuple[Step, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Hit:
    """Where one term of a class matched: tokens ``start`` to ``end`` (exclusive)."""

    start: int
    end: int

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end


def _normalise_word(word: str) -> str:
    return word.lower().replace("'", "").replace("\u2019", "")


def expand(source: str) -> list[str]:
    """Return the plain forms of a term with its ``(a|b)`` groups spelled out."""
    forms = [source]
    seen = {source}
    done: dict[str, None] = {}  # ordered and without repeats
    while forms:
        form = forms.pop()
        group = _GROUP.search(form)
        if group is None:
            done[" ".join(form.split())] = None
            continue
        choices = group.group(1).split("|")
        if _standalone(form, group.start(), group.end()) and all(
            _PLAIN_WORD.fullmatch(choice) for choice in choices
        ):
            # One word from a set: a single step, not one form per choice.
            choices = ["/".join(choices)]
        for choice in choices:
            expanded = form[: group.start()] + choice + form[group.end() :]
            if expanded not in seen:
                seen.add(expanded)
                forms.append(expanded)
        if len(seen) > MAX_EXPANSIONS:
            raise LexiconError(f"term {source!r} expands to more than {MAX_EXPANSIONS} forms")
    if any(char in form for form in done for char in "()|"):
        raise LexiconError(f"term {source!r} has unbalanced brackets")
    return [form for form in done if form]


def _standalone(form: str, start: int, end: int) -> bool:
    """Whether the group at ``form[start:end]`` is a whole word of the term."""
    before = form[start - 1] if start else " "
    after = form[end] if end < len(form) else " "
    return (before.isspace() or before in "(|") and (after.isspace() or after in ")|")


def _folded(word: str) -> set[str]:
    variants = {""}
    for char in word:
        options = _FOLDS.get(char, (char,))
        variants = {variant + option for variant in variants for option in options}
    return variants


def _step(word: str, source: str) -> list[Step]:
    gap = _GAP.fullmatch(word)
    if gap:
        return [Step(gap=int(gap.group(1)))]
    number = _NUMBER.fullmatch(word)
    if number:
        return [Step(at_least=int(number.group(1) or 0))]
    if word == "$":
        return [Step(end=True)]
    steps = []
    # "self-harm" is two tokens in a text, so it is two steps in a term.
    for part in word.replace("-", " ").split():
        alternatives = [_normalise_word(choice) for choice in part.split("/") if choice]
        words: set[str] = set()
        prefixes: set[str] = set()
        for choice in alternatives:
            if choice.endswith("*"):
                stem = choice[:-1]
                if len(stem) < 3 or not stem.isalnum():
                    raise LexiconError(f"term {source!r}: a prefix needs three letters before *")
                prefixes |= _folded(stem)
            elif choice.replace("'", "").isalnum():
                words |= _folded(choice)
            else:
                raise LexiconError(f"term {source!r}: {choice!r} is not a word")
        steps.append(Step(words=frozenset(words), prefixes=tuple(sorted(prefixes))))
    return steps


def compile_term(key: str, source: str) -> list[Term]:
    """Compile one term of class ``key`` into the sequences of steps it stands for."""
    terms = []
    for form in expand(source):
        steps: list[Step] = []
        for word in form.split():
            steps.extend(_step(word, source))
        if not steps or steps[0].gap or steps[-1].gap or steps[0].end:
            raise LexiconError(f"term {source!r} must start and end with a word")
        if any(step.end for step in steps[:-1]):
            raise LexiconError(f"term {source!r}: $ (end of sentence) must come last")
        terms.append(Term(key=key, steps=tuple(steps), source=source))
    return terms


# A term whose first two places allow more word pairs than this is indexed by its first word.
MAX_PAIRS = 400


@dataclass
class _Entry:
    """What may start at a token: one-word terms (just their class keys), terms indexed by
    their second word too, and the rest."""

    alone: list[str] = field(default_factory=list)
    by_next: dict[str, list[Term]] = field(default_factory=dict)
    rest: list[Term] = field(default_factory=list)


@dataclass
class Matcher:
    """Every term of the lexicons in use, indexed by the words it can start with.

    Most terms start with common words ("i", "going", "the"), so a term is indexed by its
    first two words where it can be: a text is read with one or two dictionary look-ups a
    token, and only terms that already match two words are tried further.
    """

    by_word: dict[str, _Entry] = field(default_factory=dict)
    by_prefix: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    by_number: list[Term] = field(default_factory=list)
    prefix_lengths: set[int] = field(default_factory=set)
    vocabulary: set[str] = field(default_factory=set)
    _starts: dict[str, _Entry | None] = field(default_factory=dict)
    stems: set[str] = field(default_factory=set)

    def add(self, term: Term) -> None:
        first, second = term.steps[0], term.steps[1] if len(term.steps) > 1 else None
        for step in term.steps:
            self.vocabulary |= step.words
            self.stems.update(step.prefixes)
        for prefix in first.prefixes:
            # Indexed by four letters where the stem has them: "self" is not tried against
            # every "sel*" term.
            self.by_prefix[prefix[:4]].append(term)
            self.prefix_lengths.add(min(len(prefix), 4))
        if first.at_least is not None:
            self.by_number.append(term)
        for word in first.words:
            entry = self.by_word.setdefault(word, _Entry())
            if second is None:
                if term.key not in entry.alone:
                    entry.alone.append(term.key)
            elif _pairable(first, second):
                for following in second.words:
                    entry.by_next.setdefault(following, []).append(term)
            else:
                entry.rest.append(term)

    def freeze(self) -> None:
        """Drop the default factories, so looking a word up never adds to the index."""
        self.by_prefix = dict(self.by_prefix)
        self._starts.clear()

    def _starting(self, token: str) -> _Entry | None:
        """What may start at ``token``: its entry, plus the prefix and number terms that
        accept it (worked out once per distinct word, since words repeat)."""
        entry = self.by_word.get(token)
        more = [
            term
            for length in sorted(self.prefix_lengths)
            if len(token) >= length
            for term in self.by_prefix.get(token[:length], ())
            if term.steps[0].accepts(token)
        ]
        if self.by_number and token.isdigit():
            more += [term for term in self.by_number if term.steps[0].accepts(token)]
        if more:
            base = entry or _Entry()
            entry = _Entry(alone=base.alone, by_next=base.by_next, rest=base.rest + more)
        if len(self._starts) < 200_000:
            self._starts[token] = entry
        return entry

    def scan(self, doc: Doc) -> dict[str, list[Hit]]:
        """Return, per class key, where its terms match (every distinct span, in order)."""
        tokens, sentences = doc.tokens, doc.sentence
        found: dict[str, set[tuple[int, int]]] = {}
        starts, missing = self._starts, _MISSING
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            entry = starts.get(token, missing)
            if entry is missing:
                entry = self._starting(token)
            if entry is None or entry is missing:
                continue
            for key in entry.alone:
                found.setdefault(key, set()).add((i, i + 1))
            sentence = sentences[i]
            if entry.by_next and i < last and sentences[i + 1] == sentence:
                for term in entry.by_next.get(tokens[i + 1], ()):
                    end = _match(term.steps, 2, i + 2, doc, sentence)
                    if end >= 0:
                        found.setdefault(term.key, set()).add((i, end))
            for term in entry.rest:
                end = _match(term.steps, 1, i + 1, doc, sentence)
                if end >= 0:
                    found.setdefault(term.key, set()).add((i, end))
        return {
            key: [Hit(start, end) for start, end in sorted(spans)] for key, spans in found.items()
        }


_MISSING = _Entry()


def _pairable(first: Step, second: Step) -> bool:
    return (
        bool(second.words)
        and not second.prefixes
        and second.at_least is None
        and len(first.words) * len(second.words) <= MAX_PAIRS
    )


def _match(steps: tuple[Step, ...], index: int, position: int, doc: Doc, sentence: int) -> int:
    """Return the end of the longest match of ``steps[index:]`` at ``position``, or -1."""
    if index == len(steps):
        return position
    step = steps[index]
    tokens = doc.tokens
    if step.end:
        at_end = position == len(tokens) or doc.sentence[position] != sentence
        return position if at_end else -1
    if step.gap:
        best = -1
        for skip in range(step.gap + 1):
            at = position + skip
            if at > len(tokens) or (skip and doc.sentence[at - 1] != sentence):
                break
            best = max(best, _match(steps, index + 1, at, doc, sentence))
        return best
    if position >= len(tokens) or doc.sentence[position] != sentence:
        return -1
    if not step.accepts(tokens[position]):
        return -1
    return _match(steps, index + 1, position + 1, doc, sentence)


def compile_classes(language: str, classes: Mapping[str, Iterable[str]]) -> dict[str, list[Term]]:
    """Compile the term lists of one language's classes, keyed ``<language>:<name>``."""
    compiled: dict[str, list[Term]] = {}
    for name, sources in classes.items():
        key = f"{language}:{name}"
        terms = [term for source in sources for term in compile_term(key, source)]
        if not terms:
            raise LexiconError(f"lexicon {language}: class {name} has no terms")
        compiled[key] = terms
    return compiled
