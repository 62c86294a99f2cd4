"""Norwegian bokmål is complete (issue 21): every entry of the catalogue is translated and none
is a guess; the catalogue compiles with gettext's own checks (placeholders, plural forms); and a
string added to the code without a translation fails here, because the catalogue is made again
from the code in a copy of the tree and must still be complete."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

from tandem.web.tests.catalogue import NB_CATALOGUE, Entry, missing_translations, read_po

# The options written at the top of the catalogue: the tests' strings are not shown to people.
IGNORED = [".venv/*", "*/tests/*"]


def test_every_entry_of_the_norwegian_catalogue_is_translated() -> None:
    entries = read_po(NB_CATALOGUE)
    assert len(entries) > 2000, "the catalogue is not where it should be, or was emptied"
    assert missing_translations(entries) == []


def test_the_reader_sees_empty_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Language: nb\\n"\n\n'
        'msgid "Done"\nmsgstr "Ferdig"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guess"\nmsgstr "Gjett"\n\n'
        'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d dag"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr ""\n"To "\n"linjer"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [e.msgid for e in entries] == ["Done", "Empty", "Guess", "%(n)d day", "Two lines", "Old"]
    assert entries[4] == Entry(msgid="Two lines", msgstr=["To linjer"])
    assert missing_translations(entries) == ["Empty", "Guess", "%(n)d day"]


def test_the_catalogue_compiles_with_gettexts_checks(tmp_path: Path) -> None:
    # --check: the same placeholders in each translation, the header and plural forms valid.
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext is missing: make install installs it"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(NB_CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The code and the catalogue, copied (makemessages rewrites the catalogue it finds)."""
    copy = tmp_path / "tandem"
    shutil.copytree(
        Path(settings.BASE_DIR),
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "staticfiles_build", "*.mo", "tests"),
    )
    return copy


def _make_messages(tree: Path, monkeypatch: pytest.MonkeyPatch) -> list[Entry]:
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[tree / "locale"]):
        call_command(
            "makemessages", locale=["nb"], ignore_patterns=IGNORED, no_location=True, verbosity=0
        )
    return read_po(tree / "locale" / "nb" / "LC_MESSAGES" / "django.po")


def test_no_string_in_the_code_is_left_without_a_translation(
    tree_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert missing_translations(_make_messages(tree_copy, monkeypatch)) == []


def test_a_new_string_without_a_translation_is_found(
    tree_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree_copy / "web" / "templates" / "web" / "new_page.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody has translated yet" %}</p>',
        encoding="utf-8",
    )
    assert missing_translations(_make_messages(tree_copy, monkeypatch)) == [
        "A sentence nobody has translated yet"
    ]
