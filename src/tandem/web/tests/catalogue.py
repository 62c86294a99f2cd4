"""Reading the Norwegian catalogue in tests: a small reader of the ``.po`` format (entries with
their flags, single and plural), so the tests need no extra package."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

NB_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, the header (empty msgid) left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: str | None = None  # the keyword the next continuation line belongs to

    def finish() -> None:
        nonlocal entry
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        elif line.startswith("#,"):
            if entry.msgid or entry.msgstr:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        elif not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if target == "msgid":
                entry.msgid += text
            elif target == "msgid_plural":
                entry.msgid_plural += text
            elif target is not None:
                entry.msgstr[-1] += text
            continue
        keyword, _, rest = line.partition(" ")
        text = ast.literal_eval(rest)
        if keyword == "msgid":
            if entry.msgid or entry.msgstr:
                finish()
            entry.msgid, target = text, "msgid"
            entry.obsolete = obsolete
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = text, "msgid_plural"
        elif keyword.startswith("msgstr"):
            entry.msgstr.append(text)
            target = "msgstr"
        elif keyword == "msgctxt":
            target = None
    finish()
    return [e for e in entries if e.msgid]


def missing_translations(entries: list[Entry]) -> list[str]:
    """The msgids of live entries with an empty translation or marked fuzzy (a guess)."""
    return [
        e.msgid
        for e in entries
        if not e.obsolete and ("fuzzy" in e.flags or not e.msgstr or not all(e.msgstr))
    ]
