"""What the care app knows about the modules it shares, supplied by the apps that hold them.

Care owns the list of shareable modules (``models.Module``) and the one gate that decides who
may read them (``access.get_module_access_for_viewer``), but not their content: the toolbox
keeps goals, journals and the rest. So that care never imports the toolbox, an app holding
module content registers a *module source* from its ``AppConfig.ready()``:

    register_module_source(ModuleSource(name="toolbox", latest_changes=latest_changes))

Care asks the registered sources, never the apps by name. With no source registered, care
fails closed: it shows no changes, and its pages say that changes cannot be shown.

An app may also give a one-line-per-measure summary of a module for the caseload row (the
questionnaires' latest scores): ``register_module_summary``. Care asks it only about the people
who share that module with the provider, and writes each summary shown to the person's access
log (``care.caseload.with_module_summaries``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured

from tandem.accounts.models import User

# Per owner id, per ``Module`` value: when something in that module last changed.
Changes = dict[int, dict[str, datetime]]


@dataclass(frozen=True)
class ModuleSource:
    """An app that holds the content of some modules.

    ``latest_changes(owner_ids, provider=viewer)`` returns, per owner and module, when
    something last changed *that ``viewer`` could see* (an entry shared with another provider
    does not count), leaving out owners and modules with nothing in them, in a fixed number of
    queries.
    """

    name: str
    latest_changes: Callable[..., Changes]


_sources: dict[str, ModuleSource] = {}


def register_module_source(source: ModuleSource) -> None:
    """Make ``source`` known to care. Call from ``AppConfig.ready()``.

    Registering the same source again is harmless; a different source under a name already
    taken is refused, so one app cannot silently replace another's.
    """
    existing = _sources.get(source.name)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(f"Two different module sources are named {source.name!r}.")
    _sources[source.name] = source


def latest_changes(owner_ids: list[int], *, viewer: User) -> Changes | None:
    """When something that ``viewer`` (a provider) could see last changed, per owner and
    module, over every registered source; None when no source is registered (the pages then
    say changes cannot be shown). The viewer is required: a change only someone else was
    shown (a journal entry shared with another provider) must not show up as "changed"."""
    if not _sources:
        return None
    found: Changes = {}
    if not owner_ids:
        return found
    for source in _sources.values():
        for owner_id, modules in source.latest_changes(owner_ids, provider=viewer).items():
            mine = found.setdefault(owner_id, {})
            for module, changed_at in modules.items():
                if module not in mine or changed_at > mine[module]:
                    mine[module] = changed_at
    return found


@dataclass(frozen=True)
class ModuleSummary:
    """What an app says about ``module`` on a caseload row.

    ``summarise(owner_ids)`` returns, per owner with something to say, short lines of plain
    text (already translated), in a fixed number of queries whatever the number of owners or
    of their items. Care only asks about owners who share ``module`` with the provider.
    """

    module: str
    summarise: Callable[[list[int]], dict[int, list[str]]]


_summaries: dict[str, ModuleSummary] = {}


def register_module_summary(summary: ModuleSummary) -> None:
    """Make ``summary`` known to care. Call from ``AppConfig.ready()``; the same rule as
    ``register_module_source`` (one summary per module)."""
    existing = _summaries.get(summary.module)
    if existing is not None and existing != summary:
        raise ImproperlyConfigured(f"Two different summaries of the module {summary.module!r}.")
    _summaries[summary.module] = summary


def module_summaries() -> list[ModuleSummary]:
    return list(_summaries.values())
