"""How well the risk screen reads labelled posts, against the previous rules.

Run: ``TANDEM_ENV=test .venv/bin/python bench/screening_eval.py --split dev [--split heldout4 ...]``
(splits: dev, heldout, heldout2, heldout3, heldout4, heldout5, heldout6, heldout7, heldout8, heldout9,
heldout10).

Reads ``bench/screening_eval/<split>.toml`` (cases with ``text``, ``label`` = imminent |
concern | ordinary | privacy, ``kind``, ``lang``) and prints, for the screen in the work tree
(rules + the statistical second reader, and the rules alone), for the screen of the round
before (``ROUND_BEFORE``, rules + model, run from git in a separate process) and for the
phrase list at commit ``PREVIOUS`` (taken from git into a temporary module):

* per label: how many, and recall: imminent = held as high risk; any risk (imminent and
  concern) = any rule fired; privacy = held;
* precision of "held as high risk" and of "caught" (any rule fired), over all labels;
* ordinary posts wrongly held (%) and flagged for a moderator (%);
* recall of imminent risk per kind, and per language;
* median and 99th percentile time of one ``screen()`` call per sentence.

The splits and what they may be used for:

* ``dev.toml``: development data, read and tuned on;
* ``heldout.toml``: **heldout-1, retired**: measured once as a held-out set, then read and
  tuned on like ``dev`` (its figures no longer say how the screen generalises);
* ``heldout2.toml``: **heldout-2, retired** the same way: measured once (imminent recall
  68.4 %), then used to choose the model's policy and thresholds and added to its training;
* ``heldout3.toml``: **heldout-3, retired** the same way: measured once (imminent recall
  83.5 %, any risk 91.8 %, ordinary held 5.3 %), then its errors guided a round of class
  changes and it joined the model's training data;
* ``heldout4.toml``: **heldout-4, retired** the same way: measured once (imminent recall
  80.2 %, any risk 91.9 %, ordinary held 5.2 %), then its errors guided a round of class
  changes, it was used to check the model's short-window gate, and it joined the model's
  training data;
* ``heldout5.toml``: **heldout-5, retired** the same way: measured once on 2026-12-07
  (imminent 84.4 %, any risk 92.5 %, ordinary held 5.6 %; docs/screening.md), then its errors
  were read by kind and guided a round of class changes, and it joined the model's training
  data;
* ``heldout6.toml``: **heldout-6, retired** the same way: written by a separate writer who
  never read the rules, measured once on 2026-12-07 (imminent 78.1 %, any risk 90.9 %,
  ordinary held 1.5 %; docs/screening.md), then its misses guided a round of class changes and
  it joined the model's training data;
* ``heldout7.toml``: **heldout-7, retired** the same way: written by a separate writer who
  read nothing of the screen, measured once on 2026-12-07 at ``aa6c31d`` (imminent 83.1 %,
  any risk 88.6 %, ordinary held 1.5 %; docs/screening.md), then its misses were read by kind
  and guided a round of class changes, and it joined the model's training data;
* ``heldout8.toml``: **heldout-8, retired**: written by a separate writer while the screen
  was being changed, measured once on 2026-12-07 at ``2f9ae9e`` (imminent 84.3 %, any risk
  94.7 %, ordinary held 7.3 %; docs/screening.md), then its misses were read by kind and
  guided a round of class changes, and it joined the model's training data;
* ``heldout9.toml``: **heldout-9, retired**: 400 cases by a separate writer who read nothing
  of the repository, measured once on 2026-12-07 at ``1702367`` (imminent 83.2 %, any risk
  89.6 %, ordinary held 1.7 %; docs/screening.md), then its misses guided round 10 and it
  joined the model's training data;
* ``heldout10.toml``: the held-out set of round 10 (400 cases), by another writer who read
  nothing of the repository, kept outside it until round 10 was committed, then measured once
  (docs/screening.md). Whoever tunes next may read it; their held-out set must be new. Running the script
  with no ``--split`` runs every split: name the splits while tuning.

Not a test: the figures are for docs/screening.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "bench" / "screening_eval"
PREVIOUS = "bbe648d"  # the phrase-list screen before issue 11
# The screen (rules and model) of the round before, as measured once on heldout9: shows what
# this round changed on a set neither version was tuned on.
ROUND_BEFORE = "1702367"
_SCREEN_PATHS = (
    "src/tandem/__init__.py",
    "src/tandem/moderation/__init__.py",
    "src/tandem/moderation/screening",
    "src/tandem/moderation/data",
)
# Run in the separate process: screen each text read from stdin, print [level, seconds].
_SCREEN_EACH = """
import json, sys, time
from tandem.moderation import screening
assert screening.__file__.startswith(sys.argv[1]), screening.__file__
screening.screen("warm up")
out = []
for text in json.load(sys.stdin):
    start = time.perf_counter()
    level = screening.screen(text).level
    out.append([level, time.perf_counter() - start])
print(json.dumps(out))
"""
SPLITS = {
    "dev": "dev (development data)",
    "heldout": "heldout-1 (retired: seen once, then tuned on)",
    "heldout2": "heldout-2 (retired: seen once, then tuned on)",
    "heldout3": "heldout-3 (retired: seen once, then tuned on)",
    "heldout4": "heldout-4 (retired: seen once, then tuned on)",
    "heldout5": "heldout-5 (retired: seen once, then tuned on)",
    "heldout6": "heldout-6 (retired: measured once on 2026-12-07, then tuned on)",
    "heldout7": "heldout-7 (retired: measured once on 2026-12-07, then tuned on)",
    "heldout8": "heldout-8 (retired: measured once on 2026-12-07, then tuned on)",
    "heldout9": "heldout-9 (retired: measured once on 2026-12-07, then tuned on)",
    "heldout10": "heldout-10 (measured once on 2026-12-07; retired for the next round)",
}

sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("TANDEM_ENV", "test")


@dataclass(frozen=True)
class Case:
    text: str
    label: str
    kind: str
    lang: str


@dataclass(frozen=True)
class Outcome:
    """What a screen decided about one case, in the terms the figures need."""

    high: bool  # held as high risk
    held: bool  # held for any reason
    caught: bool  # any rule fired
    flagged: bool  # published and put in front of a moderator
    seconds: float


@dataclass
class Figures:
    """Counts for one screen on one split."""

    outcomes: list[tuple[Case, Outcome]] = field(default_factory=list)

    def _share(self, cases: list[tuple[Case, Outcome]], test: Callable[[Outcome], bool]) -> str:
        if not cases:
            return "-"
        return f"{100 * sum(1 for _case, out in cases if test(out)) / len(cases):.1f}%"

    def by_label(self, *labels: str) -> list[tuple[Case, Outcome]]:
        return [(case, out) for case, out in self.outcomes if case.label in labels]

    def rows(self) -> list[tuple[str, str]]:
        imminent = self.by_label("imminent")
        at_risk = self.by_label("imminent", "concern")
        privacy = self.by_label("privacy")
        ordinary = self.by_label("ordinary")
        high = [(case, out) for case, out in self.outcomes if out.high]
        caught = [(case, out) for case, out in self.outcomes if out.caught]
        rows = [(f"{label} (count)", str(len(self.by_label(label)))) for label in _LABELS]
        rows += [
            ("imminent recall (held as high risk)", self._share(imminent, lambda o: o.high)),
            ("any-risk recall (imminent+concern, a rule fired)", self._share(at_risk, _caught)),
            ("concern: a rule fired", self._share(self.by_label("concern"), _caught)),
            ("privacy recall (held)", self._share(privacy, lambda o: o.held)),
            ("precision of held as high risk", _precision(high, {"imminent"})),
            ("precision of caught (not ordinary)", _precision(caught, set(_LABELS) - {"ordinary"})),
            ("ordinary wrongly held", self._share(ordinary, lambda o: o.held)),
            ("ordinary flagged", self._share(ordinary, lambda o: o.flagged)),
        ]
        kinds = sorted({case.kind for case, _out in imminent})
        for kind in kinds:
            of_kind = [(case, out) for case, out in imminent if case.kind == kind]
            rows.append((f"  imminent/{kind} ({len(of_kind)})", self._share(of_kind, _high)))
        for lang in sorted({case.lang for case, _out in self.outcomes}):
            in_lang = [(case, out) for case, out in self.outcomes if case.lang == lang]
            rows += [
                (
                    f"  [{lang}] imminent recall",
                    self._share([c for c in in_lang if c[0].label == "imminent"], _high),
                ),
                (
                    f"  [{lang}] any-risk recall",
                    self._share([c for c in in_lang if c[0].label in _AT_RISK], _caught),
                ),
                (
                    f"  [{lang}] ordinary wrongly held",
                    self._share([c for c in in_lang if c[0].label == "ordinary"], _held),
                ),
            ]
        times = sorted(out.seconds * 1e6 for _case, out in self.outcomes)
        if times:
            p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
            rows.append(
                (
                    "screen() per sentence, median / p99",
                    f"{statistics.median(times):.0f} / {p99:.0f} µs",
                )
            )
        return rows


_LABELS = ("imminent", "concern", "ordinary", "privacy")
_AT_RISK = {"imminent", "concern"}


def _high(out: Outcome) -> bool:
    return out.high


def _held(out: Outcome) -> bool:
    return out.held


def _caught(out: Outcome) -> bool:
    return out.caught


def _precision(cases: list[tuple[Case, Outcome]], right: set[str]) -> str:
    if not cases:
        return "-"
    good = sum(1 for case, _out in cases if case.label in right)
    return f"{100 * good / len(cases):.1f}% of {len(cases)}"


def load_cases(split: str) -> list[Case]:
    path = EVAL_DIR / f"{split}.toml"
    with path.open("rb") as handle:
        raw: list[dict[str, Any]] = tomllib.load(handle)["case"]
    return [Case(c["text"], c["label"], c.get("kind", ""), c.get("lang", "en")) for c in raw]


def run(screen: Callable[[str], Any], cases: list[Case]) -> Figures:
    """Screen every case (after one warm-up call, so loading the rules is not timed)."""
    screen("warm up")
    figures = Figures()
    for case in cases:
        start = time.perf_counter()
        result = screen(case.text)
        seconds = time.perf_counter() - start
        level = result.level
        figures.outcomes.append(
            (
                case,
                Outcome(
                    high=level == "high",
                    held=level in {"high", "hold"},
                    caught=level is not None,
                    flagged=level == "flag",
                    seconds=seconds,
                ),
            )
        )
    return figures


def round_before(workdir: Path, cases: list[Case]) -> Figures | None:
    """Screen ``cases`` with the screen at ``ROUND_BEFORE`` (rules + model), or ``None``.

    The screen is a package importing itself by absolute name, so two versions cannot share
    one interpreter: the old one is taken from git into ``workdir`` and run in a subprocess.
    """
    source = workdir / "round_before" / "src"
    try:
        if not source.exists():
            archive = subprocess.run(  # noqa: S603 - a fixed command, no user input
                ["git", "archive", ROUND_BEFORE, *_SCREEN_PATHS],  # noqa: S607 - git from PATH
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(workdir / "round_before", filter="data")
        done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", _SCREEN_EACH, str(source)],
            input=json.dumps([case.text for case in cases]),
            env={**os.environ, "PYTHONPATH": str(source)},
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError, tarfile.TarError) as error:
        print(f"Screen of the round before ({ROUND_BEFORE}) not available, skipped: {error}")
        return None
    figures = Figures()
    for case, (level, seconds) in zip(cases, json.loads(done.stdout), strict=True):
        figures.outcomes.append(
            (
                case,
                Outcome(
                    high=level == "high",
                    held=level in {"high", "hold"},
                    caught=level is not None,
                    flagged=level == "flag",
                    seconds=seconds,
                ),
            )
        )
    return figures


def previous_screen(workdir: Path) -> Callable[[str], Any] | None:
    """Load the screen at ``PREVIOUS`` from git into a temporary module, or ``None``."""
    files = {
        "screening_previous.py": "src/tandem/moderation/screening.py",
        "data/rules_en.toml": "src/tandem/moderation/data/rules_en.toml",
    }
    try:
        for target, source in files.items():
            shown = subprocess.run(  # noqa: S603 - a fixed command, no user input
                ["git", "show", f"{PREVIOUS}:{source}"],  # noqa: S607 - git from PATH
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            (workdir / target).parent.mkdir(parents=True, exist_ok=True)
            (workdir / target).write_bytes(shown.stdout)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"Previous rules ({PREVIOUS}) not available, column skipped: {error}")
        return None
    spec = importlib.util.spec_from_file_location(
        "screening_previous", workdir / "screening_previous.py"
    )
    if spec is None or spec.loader is None:
        return None
    module: ModuleType = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    screen: Callable[[str], Any] = module.screen
    return screen


def print_table(split: str, columns: dict[str, Figures]) -> None:
    names = list(columns)
    rows = {name: dict(figures.rows()) for name, figures in columns.items()}
    labels = [label for label, _value in next(iter(columns.values())).rows()]
    width = max(len(label) for label in labels) + 2
    print(f"\n== {SPLITS.get(split, split)} ==")
    print("".ljust(width) + "".join(name.rjust(22) for name in names))
    for label in labels:
        print(label.ljust(width) + "".join(rows[name].get(label, "-").rjust(22) for name in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=tuple(SPLITS), action="append")
    splits = parser.parse_args().split or list(SPLITS)

    from tandem.moderation import screening

    def rules_only(text: str) -> Any:
        return screening.screen(text, use_model=False)

    with tempfile.TemporaryDirectory() as workdir:
        previous = previous_screen(Path(workdir))
        for split in splits:
            if not (EVAL_DIR / f"{split}.toml").exists():
                print(f"\n{split}: bench/screening_eval/{split}.toml not found, skipped")
                continue
            cases = load_cases(split)
            columns = {
                "new": run(screening.screen, cases),
                "new, rules only": run(rules_only, cases),
            }
            before = round_before(Path(workdir), cases)
            if before is not None:
                columns[f"round before {ROUND_BEFORE}"] = before
            if previous is not None:
                columns[f"previous {PREVIOUS}"] = run(previous, cases)
            print_table(split, columns)
    print("\nTargets on the held-out set (heldout10): imminent recall >= 95%, any-risk recall")
    print(">= 90%, ordinary wrongly held <= 5%.")


if __name__ == "__main__":
    main()
