"""Running the rules: normalise once, scan every lexicon class once, then test each rule's
combinations against the class hits (cheap: most texts hit few classes)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tandem.moderation.screening.lexicon import Hit, LexiconError, Matcher
from tandem.moderation.screening.normaliser import Doc, Normaliser, light
from tandem.moderation.screening.rules import (
    IGNORE,
    LEVEL_ORDER,
    NEGATION,
    NEGATION_BREAKER,
    NEGATION_GAP,
    Combination,
    Rule,
    RuleSet,
)

# A negation cue counts when at most this many words (all from the language's
# ``negation_gap`` class: "i", "really", "going", "to"...) stand between it and a piece.
NEGATION_REACH = 3
# Enough to find a match in any real post; stops a pathological text from costing seconds.
MAX_TUPLES_PER_ANCHOR = 500

Hits = dict[str, list[Hit]]
# Classes that mark a clause as about now or what is about to happen: a cancelling word in
# another clause ("years ago", "in the film") does not cancel risk words in such a clause.
PRESENT = ("now", "time", "plan_intent", "decision", "resolve")
# The blockers so scoped: about *when* (the past, recovery) or *how* (figures of speech) the
# words are meant. Blockers about *what* the sentence is about (a film or song, a chore, an
# ordinary reason for leaving, someone else) still cancel for their whole scope.
CLAUSE_SCOPED = frozenset({"past", "recovery", "figurative"})


@dataclass(frozen=True)
class ScreenResult:
    """The rules that fired on one text, strongest first, and what that means."""

    language: str
    fired: tuple[Rule, ...]

    @property
    def level(self) -> str | None:
        return self.fired[0].level if self.fired else None

    @property
    def is_high(self) -> bool:
        return self.level == "high"

    @property
    def holds(self) -> bool:
        return self.level in {"high", "hold"}

    @property
    def flags(self) -> bool:
        """Published, and put in front of a moderator."""
        return self.level == "flag"

    @property
    def reminds(self) -> bool:
        """Published with a safe-messaging reminder (also when it is flagged)."""
        return not self.holds and any(rule.level == "remind" for rule in self.fired)

    @property
    def needs_guidance(self) -> bool:
        return any(rule.guidance for rule in self.fired)

    @property
    def decision(self) -> str:
        """``hold`` (high or privacy), ``flag`` (publish, a moderator looks) or ``pass``."""
        if self.holds:
            return "hold"
        return "flag" if self.flags else "pass"

    @property
    def reasons(self) -> tuple[str, ...]:
        """What moderators are shown: the labels of the rules that fired, strongest first."""
        return tuple(rule.label for rule in self.fired)


@dataclass(frozen=True)
class _Negation:
    cues: str
    breakers: str
    gap_words: frozenset[str]


class Screener:
    """The rules of one or more languages, ready to run on any number of texts."""

    def __init__(self, rulesets: tuple[RuleSet, ...]) -> None:
        self.rulesets = rulesets
        matcher = Matcher()
        spelling: dict[str, tuple[str, ...]] = {}
        self._negation: dict[str, _Negation] = {}
        for ruleset in rulesets:
            for key, terms in ruleset.classes.items():
                # Gap words are looked up by the negation check, never scanned for.
                if key == f"{ruleset.language}:{NEGATION_GAP}":
                    continue
                for term in terms:
                    matcher.add(term)
            for word, meaning in ruleset.spelling.items():
                if spelling.setdefault(word, meaning) != meaning:
                    raise LexiconError(f"two lexicons spell {word!r} differently")
            language = ruleset.language
            gap_terms = ruleset.classes.get(f"{language}:{NEGATION_GAP}", [])
            self._negation[language] = _Negation(
                cues=f"{language}:{NEGATION}",
                breakers=f"{language}:{NEGATION_BREAKER}",
                gap_words=frozenset(
                    word for term in gap_terms for step in term.steps for word in step.words
                ),
            )
        matcher.freeze()
        # A term word that the spelling table rewrites could never match: say so at start-up.
        for terms in (terms for ruleset in rulesets for terms in ruleset.classes.values()):
            for term in terms:
                clash = {w for step in term.steps for w in step.words if w in spelling}
                if clash:
                    raise LexiconError(
                        f"term {term.source!r} ({term.key}) uses {sorted(clash)}, which the "
                        "spelling table rewrites: write what it stands for"
                    )
        self.matcher = matcher
        self.normaliser = Normaliser(matcher.vocabulary, matcher.stems, spelling)
        self._ignore_keys = [f"{ruleset.language}:{IGNORE}" for ruleset in rulesets]
        order = {ruleset.language: n for n, ruleset in enumerate(rulesets)}
        rules = [rule for ruleset in rulesets for rule in ruleset.rules]
        # Strongest first; among equals, the first language asked for, then file order.
        rules.sort(key=lambda rule: (-LEVEL_ORDER[rule.level], order[rule.language]))
        self.rules = tuple(rules)
        # Which rules a class can set off: a rule is only tried when a class of the first
        # part of one of its combinations was found (or when it has patterns).
        self._rules_by_key: dict[str, set[int]] = {}
        self._always = {n for n, rule in enumerate(self.rules) if rule.patterns}
        for n, rule in enumerate(self.rules):
            for combination in rule.when:
                for key in combination.parts[0]:
                    self._rules_by_key.setdefault(key, set()).add(n)

    def doc(self, text: str) -> Doc:
        return self.normaliser.doc(light(text))

    def fired(self, text: str) -> tuple[Rule, ...]:
        """Return the rules that fire on ``text``, strongest first, one per rule id."""
        return tuple(rule for rule, _why in self.explain(text))

    def explain(self, text: str) -> list[tuple[Rule, str]]:
        """Return the rules that fire on ``text`` with what was found for each (the first
        combination that holds, or "pattern")."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[list[tuple[Rule, str]], Doc, frozenset[str]]:
        """Return what :meth:`explain` returns, the text as read, and the lexicon classes
        found in it (``language:class``): the statistical second reader uses both."""
        light_text = light(text)
        doc = self.normaliser.doc(light_text)
        run = _Run(doc, self._scan(doc), self._negation)
        candidates = set(self._always)
        for key in run.present:
            candidates |= self._rules_by_key.get(key, set())
        fired: list[tuple[Rule, str]] = []
        seen: set[str] = set()
        for n, rule in enumerate(self.rules):
            if n not in candidates or rule.id in seen:
                continue
            why = "pattern" if rule.pattern_fires(light_text) else None
            for combination in rule.when:
                if why is not None:
                    break
                pieces = run.holds(combination, rule.language)
                if pieces is not None:
                    why = " + ".join(" ".join(doc.tokens[p.start : p.end]) for p in pieces)
            if why is not None:
                fired.append((rule, why))
                seen.add(rule.id)
        return fired, doc, run.present

    def _scan(self, doc: Doc) -> Hits:
        hits = self.matcher.scan(doc)
        # Set phrases ("not going to lie", "to be honest") hide the classes they overlap:
        # "going to" in "not going to lie" is no plan.
        for language in self._ignore_keys:
            ignored = hits.get(language)
            if not ignored:
                continue
            for key, found in hits.items():
                if key != language:
                    hits[key] = [h for h in found if not any(h.overlaps(i) for i in ignored)]
        return hits


class _Run:
    """One text's class hits, and the questions rules ask about them."""

    def __init__(self, doc: Doc, hits: Hits, negation: dict[str, _Negation]) -> None:
        self.doc = doc
        self.hits = hits
        self.present = frozenset(key for key, found in hits.items() if found)
        self.negation = negation
        self._cues: dict[str, list[Hit]] = {}

    def unit(self, position: int, scope: str) -> int:
        if scope == "clause":
            return self.doc.clause[position]
        if scope == "sentence":
            return self.doc.sentence[position]
        return 0

    def holds(self, combination: Combination, language: str) -> tuple[Hit, ...] | None:
        """Return the pieces of ``combination`` found in the text (each part once, distinct,
        in one scope, within reach, not negated and not in a blocked sentence), or ``None``."""
        present = self.present
        if any(keys.isdisjoint(present) for keys in combination.needs):
            return None  # most combinations, on most texts: a class is missing
        lists = [
            [hit for key in part for hit in self.hits.get(key, ())] for part in combination.parts
        ]
        if combination.ordered:
            return self._ordered(lists, combination, language)
        lists.sort(key=len)
        scope, within = combination.scope, combination.within
        for anchor in lists[0]:
            unit = self.unit(anchor.start, scope)
            candidates = []
            for others in lists[1:]:
                near = [
                    hit
                    for hit in others
                    if self.unit(hit.start, scope) == unit
                    and not hit.overlaps(anchor)
                    and (
                        within is None
                        or max(hit.end, anchor.end) - min(hit.start, anchor.start) <= within
                    )
                ]
                if not near:
                    break
                candidates.append(near)
            else:
                tuples = itertools.islice(itertools.product(*candidates), MAX_TUPLES_PER_ANCHOR)
                for rest in tuples:
                    pieces = (anchor, *rest)
                    if self._found(pieces, combination, language):
                        return tuple(sorted(pieces, key=lambda piece: piece.start))
        return None

    def _ordered(
        self, lists: list[list[Hit]], combination: Combination, language: str
    ) -> tuple[Hit, ...] | None:
        """Find the parts one after another, each starting after the previous one ends."""
        scope, within = combination.scope, combination.within
        for first in lists[0]:
            unit = self.unit(first.start, scope)
            chains: list[tuple[Hit, ...]] = [(first,)]
            for others in lists[1:]:
                chains = [
                    (*chain, hit)
                    for chain in chains[:MAX_TUPLES_PER_ANCHOR]
                    for hit in others
                    if hit.start >= chain[-1].end
                    and self.unit(hit.start, scope) == unit
                    and (within is None or hit.end - first.start <= within)
                ]
                if not chains:
                    break
            for pieces in chains:
                if self._found(pieces, combination, language):
                    return pieces
        return None

    def _found(self, pieces: tuple[Hit, ...], combination: Combination, language: str) -> bool:
        for i, piece in enumerate(pieces):
            if any(piece.overlaps(other) for other in pieces[i + 1 :]):
                return False
        within = combination.within
        span = max(p.end for p in pieces) - min(p.start for p in pieces)
        if within is not None and span > within:
            return False
        if combination.negation and any(self.negated(p, pieces, language) for p in pieces):
            return False
        return not self._blocked(pieces, combination, language)

    def cues(self, language: str) -> list[Hit]:
        """Negation cues of ``language``, less those inside a breaker ("can't stop")."""
        found = self._cues.get(language)
        if found is None:
            rules = self.negation[language]
            breakers = self.hits.get(rules.breakers, [])
            found = [
                cue
                for cue in self.hits.get(rules.cues, [])
                if not any(cue.overlaps(breaker) for breaker in breakers)
            ]
            self._cues[language] = found
        return found

    def negated(self, piece: Hit, pieces: tuple[Hit, ...], language: str) -> bool:
        """Whether a negation cue stands just before ``piece`` in its clause ("I'm not going
        to", "I would never"); cues that are part of a piece ("don't want to live") do not
        count."""
        cues = self.cues(language)
        if not cues:
            return False
        doc = self.doc
        gap_words = self.negation[language].gap_words
        for cue in cues:
            if cue.end > piece.start or piece.start - cue.end > NEGATION_REACH:
                continue
            if doc.clause[cue.start] != doc.clause[piece.start]:
                continue
            if any(cue.overlaps(other) for other in pieces):
                continue
            if all(doc.tokens[k] in gap_words for k in range(cue.end, piece.start)):
                return True
        return False

    def _blocked(self, pieces: tuple[Hit, ...], combination: Combination, language: str) -> bool:
        """Whether a blocker cancels ``pieces``. A blocker of the past or a figure of speech
        (``CLAUSE_SCOPED``) in a clause of a piece cancels; one elsewhere in the blocker scope
        (another clause of the sentence, another sentence of the post) cancels only when the
        pieces' own clauses carry no present or future signal ("years ago I tried, but
        tonight I'm going to": the past is another clause). Other blockers cancel anywhere in
        their scope."""
        if not combination.blockers:
            return False
        scope = combination.blocker_scope
        units = {self.unit(piece.start, scope) for piece in pieces}
        clause = self.doc.clause
        clauses = {clause[k] for piece in pieces for k in range(piece.start, piece.end)}
        present: bool | None = None
        for key in combination.blockers:
            for blocker in self.hits.get(key, ()):
                if self.unit(blocker.start, scope) not in units:
                    continue
                # "I'm not joking" does not make the rest a joke.
                if self.negated(blocker, (blocker,), language):
                    continue
                if (
                    scope != "clause"
                    and key.partition(":")[2] in CLAUSE_SCOPED
                    and clause[blocker.start] not in clauses
                ):
                    if present is None:
                        present = self._present(clauses, combination, language)
                    if present:
                        continue
                return True
        return False

    def _present(self, clauses: set[int], combination: Combination, language: str) -> bool:
        """Whether the clauses hold a present or future signal ("tonight", "right now", "I'm
        going to", "I've decided") that is not itself part of a blocker."""
        blockers = [hit for key in combination.blockers for hit in self.hits.get(key, ())]
        clause = self.doc.clause
        for name in PRESENT:
            for hit in self.hits.get(f"{language}:{name}", ()):
                if clause[hit.start] not in clauses:
                    continue
                if any(hit.overlaps(blocker) for blocker in blockers):
                    continue
                if self.negated(hit, (hit,), language):
                    continue
                return True
        return False
