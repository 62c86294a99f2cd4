"""House rules about where code may reach, read from the source with ``ast`` (no imports run).

docs/architecture.md explains the rules; this file is what holds them. Two of them:

1. **Layers.** An app may import only apps below it. From the bottom:
   ``core < accounts < notifications < care < toolbox, messaging < forum < moderation < courses
   < web, datarights``.
   Apps on one layer (toolbox, messaging) do not import each other. String references to
   another app's model (``"forum.Post"``, ``apps.get_model("forum", "Post")``) count too.
   Imports inside functions and under ``TYPE_CHECKING`` count: they are dependencies all the
   same. Tests (``tests/``) are not held to this, since fixtures and end-to-end checks reach
   across apps; management commands are.
2. **Views never query clinical models directly.** In views modules (``views.py``,
   ``views/*.py``, ``*_views.py``), a model of care, toolbox or messaging is read only through
   that app's ``access`` gates or ``selectors``: no ``Model.objects``, ``_default_manager``,
   ``get_object_or_404(Model, ...)`` or ``model = Model`` on a generic view.
3. **Templates load tag libraries by the layers too.** ``{% load name %}`` in an app's
   templates names a library of that app or of an app below it, never one of the shell
   (``web``) or of another app above it: a library is code the template depends on.

Not checked here: that every ``Message``/``Post`` query in services and selectors is scoped
to the acting person. Whether a query is scoped depends on what was passed in (an already
gated object, a queryset a selector built) and on which filter keys mean "scoped" for each
model, so an AST rule would be either easy to pass by accident or full of exceptions. The
role-matrix tests of each ``access.py`` and selector hold that rule instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps

# Bottom first. A new app must be placed here before the test passes.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    frozenset({"accounts"}),
    frozenset({"notifications"}),
    frozenset({"care"}),
    frozenset({"toolbox", "messaging"}),
    frozenset({"questionnaires"}),
    frozenset({"forum"}),
    frozenset({"moderation"}),
    # Research counts every app's use (core.usage) and reads care's agreements for reply times.
    frozenset({"research"}),
    # Courses build on the forum (the board), moderation and notifications.
    frozenset({"courses"}),
    # Data rights collects and erases every app's data, so it sits beside the shell, on top.
    # The API offers the pages' gates, selectors and services to apps, so it sits on top too.
    frozenset({"web", "datarights", "api"}),
)
LAYER_OF = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}

# Apps whose models hold health information: read in views only through gates and selectors.
CLINICAL_APPS = ("care", "toolbox", "messaging", "questionnaires")
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}

MODEL_REFERENCE = re.compile(r"^(?P<label>[a-z_]+)\.(?P<model>[A-Z]\w*)$")
LOAD_TAG = re.compile(r"{%-?\s*load\s+(?P<names>.+?)\s*-?%}")


@dataclass(frozen=True)
class App:
    label: str
    path: Path


@cache
def project_apps() -> dict[str, App]:
    """Tandem's own apps (``tandem.<name>``), by label; test-only apps are left out."""
    found: dict[str, App] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("tandem.") and config.name.count(".") == 1:
            found[config.label] = App(label=config.label, path=Path(config.path))
    return found


def source_files(app: App) -> Iterator[Path]:
    for path in sorted(app.path.rglob("*.py")):
        parts = path.relative_to(app.path).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


@cache
def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    root = next(iter(project_apps().values())).path.parents[1]
    return f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"


def imported_apps(node: ast.AST) -> Iterator[str]:
    """The tandem apps that one import statement (or model reference) depends on."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
        if node.module == "tandem":
            names = [f"tandem.{alias.name}" for alias in node.names]
    for name in names:
        parts = name.split(".")
        if len(parts) > 1 and parts[0] == "tandem":
            yield parts[1]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        match = MODEL_REFERENCE.match(node.value)
        if match:
            yield match["label"]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_model"
        and len(node.args) == 2
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        yield node.args[0].value


def test_every_app_has_a_layer() -> None:
    unplaced = sorted(set(project_apps()) - set(LAYER_OF))
    assert not unplaced, f"place these apps in LAYERS (test_architecture.py): {unplaced}"


def test_no_app_imports_an_app_above_it_or_beside_it() -> None:
    known = project_apps()
    problems: list[str] = []
    for app in known.values():
        for path in source_files(app):
            for node in ast.walk(parse(path)):
                for other in imported_apps(node):
                    if other == app.label or other not in known:
                        continue
                    if LAYER_OF[other] >= LAYER_OF[app.label]:
                        problems.append(f"{where(path, node)}: {app.label} -> {other}")
    assert not problems, (
        "Imports against the layers "
        + " < ".join("/".join(sorted(x)) for x in LAYERS)
        + ":\n"
        + "\n".join(sorted(problems))
    )


@cache
def clinical_model_names() -> frozenset[str]:
    return frozenset(
        model.__name__
        for label in CLINICAL_APPS
        for model in apps.get_app_config(label).get_models()
    )


def is_views_module(app: App, path: Path) -> bool:
    parts = path.relative_to(app.path).parts
    return path.name == "views.py" or path.name.endswith("_views.py") or "views" in parts[:-1]


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class ClinicalQueries(ast.NodeVisitor):
    """Finds direct queries of clinical models in one views module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.models = clinical_model_names()
        self.model_aliases: set[str] = set()  # local names bound to a clinical model
        # Local names imported from a clinical app's package (modules among them): ``x.Model``.
        self.module_aliases: set[str] = set()
        self.problems: list[str] = []

    @staticmethod
    def clinical_module(module: str) -> bool:
        parts = module.split(".")
        return len(parts) > 1 and parts[0] == "tandem" and parts[1] in CLINICAL_APPS

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if self.clinical_module(alias.name):
                self.module_aliases.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            local = alias.asname or alias.name
            if self.clinical_module(module) and alias.name in self.models:
                self.model_aliases.add(local)
            elif self.clinical_module(f"{module}.{alias.name}"):
                self.module_aliases.add(local)

    def is_model(self, node: ast.expr) -> bool:
        name = dotted(node)
        if name is None:
            return False
        if name in self.model_aliases:
            return True
        head, _, last = name.rpartition(".")
        return last in self.models and any(
            head == alias or head.startswith(f"{alias}.") for alias in self.module_aliases
        )

    def report(self, node: ast.AST, what: str) -> None:
        self.problems.append(f"{where(self.path, node)}: {what}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGER_ATTRIBUTES and self.is_model(node.value):
            self.report(node, f"{dotted(node)}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = dotted(node.func) or ""
        if name.rpartition(".")[2] in SHORTCUTS and node.args and self.is_model(node.args[0]):
            self.report(node, f"{name}({dotted(node.args[0])}, ...)")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "model" for t in statement.targets)
                and self.is_model(statement.value)
            ):
                self.report(statement, f"{node.name}.model = {dotted(statement.value)}")
        self.generic_visit(node)


def test_views_never_query_clinical_models_directly() -> None:
    problems: list[str] = []
    for app in project_apps().values():
        for path in source_files(app):
            if is_views_module(app, path):
                finder = ClinicalQueries(path)
                finder.visit(parse(path))
                problems.extend(finder.problems)
    assert not problems, (
        "Views query clinical models directly; go through the app's access gates or selectors:\n"
        + "\n".join(sorted(problems))
    )


def tag_library_owners() -> dict[str, str]:
    """Each project template-tag library (``<app>/templatetags/<name>.py``) and its app."""
    return {
        path.stem: app.label
        for app in project_apps().values()
        for path in (app.path / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


def loaded_libraries(text: str) -> Iterator[tuple[int, str]]:
    """``(line, library)`` for each library a template's ``{% load %}`` tags name
    (``{% load a b %}`` and ``{% load tag from a %}``)."""
    for match in LOAD_TAG.finditer(text):
        names = match["names"].split()
        line = text.count("\n", 0, match.start()) + 1
        if "from" in names:
            yield line, names[names.index("from") + 1]
        else:
            yield from ((line, name) for name in names)


def test_templates_load_no_library_of_an_app_above_or_beside_them() -> None:
    owners = tag_library_owners()
    problems: list[str] = []
    for app in project_apps().values():
        for path in sorted((app.path / "templates").rglob("*.html")):
            for line, library in loaded_libraries(path.read_text(encoding="utf-8")):
                owner = owners.get(library)  # None: one of Django's own
                if owner is None or owner == app.label or LAYER_OF[owner] < LAYER_OF[app.label]:
                    continue
                root = app.path.parents[1]
                problems.append(
                    f"{path.relative_to(root)}:{line}: {app.label} loads {library} ({owner})"
                )
    assert not problems, (
        "Templates load tag libraries against the layers; move the library down (core.templatetags"
        " for shared ones):\n" + "\n".join(sorted(problems))
    )


def test_the_checks_see_what_they_look_for() -> None:
    """The rules above fail on real breaches (a rule that sees nothing passes for ever)."""
    assert {"core", "web", "care", "messaging"} <= set(project_apps())
    assert {"Message", "CareRelationship"} <= clinical_model_names()
    tree = ast.parse(
        "from tandem.messaging.models import Message as M\n"
        "from tandem.care import models as care_models\n"
        "import tandem.toolbox.models\n"
        "from django.shortcuts import get_object_or_404\n"
        "M.objects.all()\n"
        "care_models.CareRelationship._default_manager.all()\n"
        "get_object_or_404(tandem.toolbox.models.JournalEntry, pk=1)\n"
        "class V:\n"
        "    model = M\n"
    )
    finder = ClinicalQueries(project_apps()["web"].path / "views.py")
    finder.visit(tree)
    assert len(finder.problems) == 4, finder.problems
    upward = ast.parse("from tandem.forum.models import Post\nx = 'moderation.Report'\n")
    assert [app for node in ast.walk(upward) for app in imported_apps(node)] == [
        "forum",
        "moderation",
    ]
    assert tag_library_owners()["tandem_urls"] == "core"
    assert list(loaded_libraries("{% load i18n tandem_urls %}\n{% load fixed_url from x %}")) == [
        (1, "i18n"),
        (1, "tandem_urls"),
        (2, "x"),
    ]
