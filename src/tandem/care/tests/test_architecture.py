"""Apps depend one way: care is below the toolbox and messaging, and nothing loads code by name.

Read from the source with ``ast``, so an import hidden in a function counts as much as one at
the top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import tandem

SRC = Path(tandem.__file__).resolve().parent
CARE = SRC / "care"
# Apps above care: they register with care (care.modules), care never names them.
ABOVE_CARE = ("tandem.toolbox", "tandem.messaging")
# Modules that may use importlib, and why.
IMPORTLIB_ALLOWED = {
    # Loads the SessionStore of settings.SESSION_ENGINE, as Django's SessionMiddleware does.
    "messaging/socket_session.py",
}


def _sources(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "tests" not in path.relative_to(root).parts:
            yield path


def _imported_modules(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, and every string it passes to ``import_module`` or
    ``__import__`` (the hidden imports)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "__import__":
                yield "__import__"
            yield from (
                argument.value
                for argument in node.args
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            )


def _names_above_care(name: str) -> bool:
    return any(name == app or name.startswith(f"{app}.") for app in ABOVE_CARE)


def test_care_imports_nothing_from_the_apps_above_it() -> None:
    found = [
        (str(path.relative_to(SRC)), name)
        for path in _sources(CARE)
        for name in _imported_modules(path)
        if _names_above_care(name)
    ]
    assert found == []


def test_no_module_loads_code_by_name_except_the_allowed_ones() -> None:
    found = {
        str(path.relative_to(SRC))
        for path in _sources(SRC)
        for name in _imported_modules(path)
        if name == "importlib" or name.startswith("importlib.") or name == "__import__"
    }
    assert found <= IMPORTLIB_ALLOWED


def test_the_check_sees_an_import_hidden_in_a_string(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden.py"
    hidden.write_text(
        "import importlib\n"
        "def f():\n"
        "    return importlib.import_module('tandem.toolbox.selectors')\n"
    )
    names = set(_imported_modules(hidden))
    assert "importlib" in names
    assert any(_names_above_care(name) for name in names)
