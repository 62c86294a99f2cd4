"""What changed between two versions of an agreement, field by field.

Text is compared word by word (difflib), so a changed sentence shows the words taken out and
put in. The template marks them with <del>/<ins> *and* the words "removed"/"added" (visually
hidden labels), so the change is clear without colour and to a screen reader.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.care.agreement_models import SERVICE_USER_CHOICES, TERMS

LABELS: dict[str, str | Promise] = {
    "purpose": _("What we use Tandem for"),
    "reply_within_days": _("Replies can be expected within (working days)"),
    "not_for": _("What we do not use Tandem for"),
    "crisis_section": _("In a crisis, or if you cannot reach me"),
    "review_every_weeks": _("We review this agreement every (weeks)"),
    "tell_care_team_on_risk": _(
        "If a questionnaire answer suggests I may be at risk, tell my care team that a "
        "check-in needs attention"
    ),
}


@dataclass(frozen=True)
class Piece:
    """A run of words: ``kind`` is "same", "removed" or "added"."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str | Promise
    pieces: list[Piece]

    @property
    def changed(self) -> bool:
        return any(piece.kind != "same" for piece in self.pieces)


def diff_words(old: str, new: str) -> list[Piece]:
    """``old`` to ``new`` as runs of unchanged, removed and added words (line breaks are
    kept as their own tokens, so paragraphs survive)."""
    before, after = _tokens(old), _tokens(new)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", " ".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", " ".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", " ".join(after[b1:b2])))
    return pieces


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for number, line in enumerate(text.splitlines()):
        if number:
            tokens.append("\n")
        tokens.extend(line.split())
    return tokens


def diff_terms(old: Mapping[str, object], new: Mapping[str, object]) -> list[FieldDiff]:
    """Every field of the agreement (and the service user's choices, when given), with what
    changed from ``old`` to ``new``; unchanged fields are included (with one "same" piece) so a page can show all or only changes."""
    return [
        FieldDiff(
            name=name,
            label=LABELS[name],
            pieces=diff_words(_shown(old.get(name, "")), _shown(new.get(name, ""))),
        )
        for name in TERMS + tuple(n for n in SERVICE_USER_CHOICES if n in old or n in new)
    ]


def _shown(value: object) -> str:
    """A field's value as words: a choice reads "Yes"/"No", never "True"/"False"."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)
