"""Apps depend one way (issue 14): moderation builds on the forum, and the shell (``web``) on
both. The forum offers hooks (``forum.hooks``) that moderation registers in its
``AppConfig.ready()``; it never imports them. Tests may use moderation's factories and models.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORUM = Path(__file__).resolve().parent.parent
FORBIDDEN = ("tandem.moderation", "tandem.web")


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _forum_modules() -> list[Path]:
    return sorted(path for path in FORUM.rglob("*.py") if "tests" not in path.parts)


def test_the_forum_has_modules_to_check() -> None:
    assert len(_forum_modules()) > 10


@pytest.mark.parametrize("forbidden", FORBIDDEN)
def test_the_forum_imports_nothing_from_apps_built_on_it(forbidden: str) -> None:
    offenders = [
        f"{path.relative_to(FORUM)}: {name}"
        for path in _forum_modules()
        for name in _imports(path)
        if name == forbidden or name.startswith(f"{forbidden}.")
    ]
    assert offenders == []
