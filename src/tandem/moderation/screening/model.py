"""A small statistical second reader: logistic regression over word and character n-grams.

The rules only recognise wording someone has written down; this model recognises paraphrases
that share vocabulary with posts known to describe risk. It never decides alone and it can
never lower what the rules decided (``screening.screen`` combines them):

* ``risk`` (any risk: imminent or concern) above ``flag_threshold`` raises a post the rules
  passed or only reminded about to ``flag`` (rule ``model_risk``: a moderator looks);
* ``imminent`` above ``high_threshold`` raises it to ``high`` (rule ``model_imminent``);
* neither where the rules read the words as past, recovery, a film or song, a figure of
  speech or a joke (``cancel_classes``);
* and, in a post where no lexicon class of risk was found (``risk_classes``), not on a
  post or sentence of ``SHORT_WINDOW`` words or fewer: a few words with not one risk word
  are too little to go on ("I can't sleep.", "Why not say hello in Introductions?").

Weights are trained by ``bench/train_screen_model.py`` and shipped as
``data/screen_model.json``; they are read once per process. A missing or malformed file
raises :class:`~tandem.moderation.screening.lexicon.LexiconError` at load: better a failed
start than a second reader that silently reads nothing.

Features are kept as a pruned dictionary from n-gram to weight rather than hashed: a
dictionary lookup is cheaper in pure Python than a stable hash, and there are no collisions.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.moderation.screening.lexicon import LexiconError

FORMAT = "tandem-screen-model/1"
HEADS = ("risk", "imminent")
# Long posts: the features of the first this many tokens are enough, and keep it cheap.
MAX_TOKENS = 600
# Risk is said in a sentence or two, and the model was trained on short posts: a post longer
# than this many words is read sentence by sentence, and its score is the highest sentence's
# (so a long, ordinary post does not add up many small weights into a flag). A shorter post
# of several sentences is read whole *and* sentence by sentence: one risky sentence among
# ordinary ones ("Returned my library books. Walking down to the river now.") is diluted in
# the whole but clear alone (on heldout-7, with the model trained without it and the rules as
# measured: imminent held 83.1 -> 85.2 %, ordinary held unchanged).
WINDOW = 40
# In a post with no risk word, a post or sentence of at most this many words is not read.
SHORT_WINDOW = 6
WORD_CACHE = 50_000  # words whose share of the score is kept (bounded: posts are unbounded)


# Negation cues: the words after one, to the end of its clause, are read as negated ("won't
# hurt myself" is not "hurt myself"), the usual way for a bag of n-grams to see negation.
NEGATORS = frozenset(
    {"not", "never", "no", "dont", "wont", "didnt", "isnt", "wasnt", "wouldnt", "ikke", "aldri"}
)


def mark_negated(tokens: Sequence[str], clause: Sequence[int] | None) -> list[str]:
    """Mark the words after a negation cue, to the end of its clause, with ``!``."""
    if clause is None:
        return list(tokens)
    marked: list[str] = []
    negated_clause = -1
    for i, token in enumerate(tokens):
        marked.append(f"!{token}" if negated_clause == clause[i] else token)
        if token in NEGATORS:
            negated_clause = clause[i]
    return marked


def word_features(token: str) -> list[str]:
    """The n-grams of one word: the word, and its character 4-grams with its edges marked
    ("<kill", "ill>")."""
    marked = f"<{token}>"
    if len(marked) <= 4:
        return [f"w:{token}", f"c:{marked}"]
    return [f"w:{token}", *(f"c:{marked[i : i + 4]}" for i in range(len(marked) - 3))]


def features(tokens: Sequence[str], clause: Sequence[int] | None = None) -> list[str]:
    """The n-grams of a normalised text (repeats kept, they count again): each word's
    (:func:`word_features`) and word pairs; words after a negation cue in the same clause
    get a ``!`` mark."""
    tokens = mark_negated(tokens[:MAX_TOKENS], clause)
    out = [gram for token in tokens for gram in word_features(token)]
    out += [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    return out


@dataclass(frozen=True)
class Head:
    """One logistic regression: bias, weights per feature, and its decision threshold."""

    bias: float
    weights: dict[str, float]
    threshold: float
    # What each word adds (its word and character n-grams), worked out once per word.
    _words: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def probability(self, grams: Iterable[str]) -> float:
        """The probability for a list of n-grams (as :func:`features` makes them)."""
        weights = self.weights
        score = self.bias + sum(weights.get(gram, 0.0) for gram in grams)
        return _sigmoid(score)

    def probability_of(self, tokens: Sequence[str], clause: Sequence[int] | None) -> float:
        """The same as ``probability(features(tokens, clause))``, faster: a word's share is
        kept once worked out."""
        weights, words = self.weights, self._words
        marked = mark_negated(tokens[:MAX_TOKENS], clause)
        score = self.bias
        for token in marked:
            share = words.get(token)
            if share is None:
                share = sum(weights.get(gram, 0.0) for gram in word_features(token))
                if len(words) < WORD_CACHE:
                    words[token] = share
            score += share
        for a, b in itertools.pairwise(marked):
            score += weights.get(f"b:{a} {b}", 0.0)
        return _sigmoid(score)


def _sigmoid(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


@dataclass(frozen=True)
class Model:
    risk: Head
    imminent: Head
    # Classes by which the rules read risk words as past, quoted, figurative or a joke: when
    # one is found the model does not hold the post, nor flag one the rules chose to remind.
    cancel_classes: frozenset[str] = frozenset()
    # Classes of risk words: in a post where none was found, short windows are not read
    # (empty: every window is read).
    risk_classes: frozenset[str] = frozenset()

    def probabilities(
        self,
        tokens: Sequence[str],
        sentence: Sequence[int] | None = None,
        clause: Sequence[int] | None = None,
        min_words: int = 0,
    ) -> tuple[float, float]:
        """The highest ``risk`` and ``imminent`` probabilities over the text's windows (those
        of fewer than ``min_words`` words are not read)."""
        risk = imminent = 0.0
        for window, clauses in windows(tokens, sentence, clause):
            if len(window) < min_words:
                continue
            risk = max(risk, self.risk.probability_of(window, clauses))
            imminent = max(imminent, self.imminent.probability_of(window, clauses))
        return risk, imminent


def windows(
    tokens: Sequence[str],
    sentence: Sequence[int] | None = None,
    clause: Sequence[int] | None = None,
) -> list[tuple[Sequence[str], Sequence[int] | None]]:
    """A short text (at most ``WINDOW`` tokens) is one window, and each of its sentences of
    more than ``SHORT_WINDOW`` words another when it has more than one; a longer one is read sentence by sentence (a sentence
    longer than ``WINDOW`` is cut), up to ``MAX_TOKENS`` tokens."""
    tokens = tokens[:MAX_TOKENS]
    if sentence is None:
        bounds = [(a, min(len(tokens), a + WINDOW)) for a in range(0, len(tokens), WINDOW)]
    else:
        bounds = []
        start = 0
        for end in range(1, len(tokens) + 1):
            if end == len(tokens) or sentence[end] != sentence[end - 1] or end - start >= WINDOW:
                bounds.append((start, end))
                start = end
        if len(tokens) <= WINDOW:
            # A sentence of a few words alone is too little to go on ("I'm going to do it!
            # Signed up for the 5k"): it is read only within the whole.
            parts = [(a, b) for a, b in bounds if b - a > SHORT_WINDOW]
            bounds = [(0, len(tokens))] + (parts if len(bounds) > 1 else [])
    if not bounds:
        bounds = [(0, 0)]
    return [(tokens[a:b], clause[a:b] if clause is not None else None) for a, b in bounds]


def _head(raw: Any, name: str, where: str) -> Head:
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: head {name!r} missing")
    bias, weights, threshold = raw.get("bias"), raw.get("weights"), raw.get("threshold")
    if not isinstance(bias, (int, float)) or not isinstance(threshold, (int, float)):
        raise LexiconError(f"{where}: head {name!r} needs a numeric bias and threshold")
    if not 0.0 < threshold < 1.0:
        raise LexiconError(f"{where}: head {name!r} threshold must be between 0 and 1")
    if not isinstance(weights, dict) or not weights:
        raise LexiconError(f"{where}: head {name!r} has no weights")
    checked: dict[str, float] = {}
    for gram, weight in weights.items():
        if not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise LexiconError(f"{where}: head {name!r} weight of {gram!r} is not a number")
        checked[gram] = float(weight)
    return Head(bias=float(bias), weights=checked, threshold=float(threshold))


def load_model(path: Path) -> Model:
    """Read and check a weights file; raise :class:`LexiconError` when it is unusable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LexiconError(f"{path.name}: cannot read the screen model: {error}") from error
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise LexiconError(f"{path.name}: not a screen model (format must be {FORMAT!r})")
    cancels = raw.get("cancel_classes")
    if not isinstance(cancels, list) or not all(isinstance(c, str) for c in cancels):
        raise LexiconError(f"{path.name}: cancel_classes must be a list of class names")
    risk = raw.get("risk_classes", [])
    if not isinstance(risk, list) or not all(isinstance(c, str) for c in risk):
        raise LexiconError(f"{path.name}: risk_classes must be a list of class names")
    heads = raw.get("heads")
    if not isinstance(heads, dict):
        raise LexiconError(f"{path.name}: no heads")
    return Model(
        risk=_head(heads.get("risk"), "risk", path.name),
        imminent=_head(heads.get("imminent"), "imminent", path.name),
        cancel_classes=frozenset(cancels),
        risk_classes=frozenset(risk),
    )
